/*
 * The map position of a shop in the admin form, picked on a map (Leaflet).
 *
 * An enhancement only: the latitude and longitude fields above always work by
 * typing, and they stay the keyboard and screen-reader path (the map is out of
 * the tab order, as the caption says). With JavaScript and Leaflet, the
 * <figure data-position-picker> is shown: a click on the map (or dragging the
 * pin) writes the position into the two fields; typing in them moves the pin.
 */
(function () {
  "use strict";

  if (!window.L || !document.querySelectorAll) {
    return;
  }

  function outOfTabOrder(root) {
    var focusable = root.querySelectorAll("a, button, input, [tabindex]");
    for (var i = 0; i < focusable.length; i += 1) {
      focusable[i].setAttribute("tabindex", "-1");
    }
  }

  function number(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? value : null;
  }

  function setup(figure) {
    var latInput = document.getElementById(figure.getAttribute("data-latitude-id"));
    var lngInput = document.getElementById(figure.getAttribute("data-longitude-id"));
    var canvas = figure.querySelector("[data-position-picker-canvas]");
    if (!latInput || !lngInput || !canvas) {
      return;
    }
    figure.hidden = false;
    var fallback = [
      parseFloat(figure.getAttribute("data-default-lat")),
      parseFloat(figure.getAttribute("data-default-lng")),
    ];
    var map = L.map(canvas, { keyboard: false, scrollWheelZoom: false });
    L.tileLayer(figure.getAttribute("data-tile-url"), {
      maxZoom: 19,
      attribution: figure.getAttribute("data-attribution"),
    }).addTo(map);
    var marker = null;

    function place(lat, lng, write) {
      if (marker === null) {
        marker = L.marker([lat, lng], {
          draggable: true,
          keyboard: false,
          title: figure.getAttribute("data-pin-label") || "",
          alt: figure.getAttribute("data-pin-label") || "",
        }).addTo(map);
        marker.on("dragend", function () {
          var position = marker.getLatLng();
          place(position.lat, position.lng, true);
        });
      } else {
        marker.setLatLng([lat, lng]);
      }
      if (write) {
        latInput.value = lat.toFixed(6);
        lngInput.value = lng.toFixed(6);
        [latInput, lngInput].forEach(function (input) {
          input.dispatchEvent(new Event("input", { bubbles: true }));
          input.dispatchEvent(new Event("change", { bubbles: true }));
        });
      }
    }

    var lat = number(latInput);
    var lng = number(lngInput);
    if (lat !== null && lng !== null) {
      map.setView([lat, lng], 16);
      place(lat, lng, false);
    } else {
      map.setView(fallback, 10);
    }
    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng, true);
    });
    function typed() {
      var typedLat = number(latInput);
      var typedLng = number(lngInput);
      if (typedLat !== null && typedLng !== null &&
          Math.abs(typedLat) <= 90 && Math.abs(typedLng) <= 180) {
        place(typedLat, typedLng, false);
        map.panTo([typedLat, typedLng]);
      }
    }
    latInput.addEventListener("change", typed);
    lngInput.addEventListener("change", typed);
    outOfTabOrder(canvas);
  }

  function start() {
    var figures = document.querySelectorAll("[data-position-picker]");
    for (var i = 0; i < figures.length; i += 1) {
      setup(figures[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
