/*
 * Shop maps (Leaflet), an enhancement of server-rendered pages.
 *
 * For every <figure data-shop-map data-points="ID"> the page also contains
 * <script type="application/json" id="ID"> with [{name, lat, lng, url,
 * address, distance}]. The figure is `hidden` in the HTML, so without
 * JavaScript (or without Leaflet) there is no map and the list or the
 * address says everything. With it, the map is drawn with one named pin per
 * shop (title and alt = the shop's name, a popup with a link), and nothing
 * in it is in the keyboard tab order: the list before it is the keyboard and
 * screen-reader path, as the figure's caption says.
 *
 * A figure marked data-map-lazy (the shop list) is drawn only when its
 * "Show on a map" button is pressed: Leaflet (script and styles) is loaded then,
 * so a visitor who never opens the map pays nothing for it.
 */
(function () {
  "use strict";

  if (!document.querySelectorAll) {
    return;
  }

  function outOfTabOrder(root) {
    var focusable = root.querySelectorAll("a, button, input, [tabindex]");
    for (var i = 0; i < focusable.length; i += 1) {
      focusable[i].setAttribute("tabindex", "-1");
    }
  }

  function popupContent(point) {
    // Built from text nodes, never HTML strings: shop names are data.
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.className = "p-map-popup__name";
    link.href = point.url;
    link.textContent = point.name;
    box.appendChild(link);
    if (point.distance) {
      box.appendChild(document.createTextNode(point.distance));
      box.appendChild(document.createElement("br"));
    }
    if (point.address) {
      box.appendChild(document.createTextNode(point.address));
    }
    return box;
  }

  function draw(figure) {
    var data = document.getElementById(figure.getAttribute("data-points"));
    var canvas = figure.querySelector("[data-shop-map-canvas]");
    var points;
    try {
      points = JSON.parse(data ? data.textContent : "[]");
    } catch (error) {
      return;
    }
    if (!canvas || !points.length) {
      return;
    }
    figure.hidden = false;

    var map = L.map(canvas, {
      keyboard: false, // no tabindex on the container: the list is the keyboard path
      scrollWheelZoom: false, // scrolling the page must not zoom the map
      zoomControl: true,
    });
    L.tileLayer(figure.getAttribute("data-tile-url"), {
      maxZoom: 18, // 地理院タイル (標準地図) goes to zoom 18
      attribution: figure.getAttribute("data-attribution"),
    }).addTo(map);

    var bounds = [];
    points.forEach(function (point) {
      var marker = L.marker([point.lat, point.lng], {
        title: point.name,
        alt: point.name,
        keyboard: false,
      });
      marker.bindPopup(popupContent(point));
      marker.addTo(map);
      bounds.push([point.lat, point.lng]);
    });
    var originLat = parseFloat(figure.getAttribute("data-origin-lat"));
    var originLng = parseFloat(figure.getAttribute("data-origin-lng"));
    if (isFinite(originLat) && isFinite(originLng)) {
      // The searcher's position: a yellow disc with a black ring, above the pins
      // (not colour alone: it is the only round mark, and the caption names it).
      L.marker([originLat, originLng], {
        icon: L.divIcon({ className: "p-map-origin", iconSize: [22, 22] }),
        title: figure.getAttribute("data-origin-label") || "",
        keyboard: false,
        interactive: false,
        zIndexOffset: 1000, // above the pins
      }).addTo(map);
      bounds.push([originLat, originLng]);
    }
    if (bounds.length === 1) {
      map.setView(bounds[0], Number(figure.getAttribute("data-zoom")) || 15);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    }

    outOfTabOrder(canvas);
    map.on("popupopen", function (event) {
      outOfTabOrder(event.popup.getElement());
    });
  }

  function loadLeaflet(figure) {
    if (window.L) {
      return Promise.resolve();
    }
    return new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = figure.getAttribute("data-leaflet-css");
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = figure.getAttribute("data-leaflet-js");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function lazy(figure) {
    var button = document.querySelector('[aria-controls="' + figure.id + '"][data-map-open]');
    if (!button) {
      return;
    }
    button.closest("[data-map-open-row]").hidden = false;
    var drawn = false;
    button.addEventListener("click", function () {
      if (drawn) {
        figure.hidden = !figure.hidden;
        button.setAttribute("aria-expanded", figure.hidden ? "false" : "true");
        return;
      }
      button.disabled = true;
      loadLeaflet(figure).then(function () {
        drawn = true;
        draw(figure);
        button.setAttribute("aria-expanded", figure.hidden ? "false" : "true");
      }).catch(function () { /* no map: the list says everything */ }).then(function () {
        button.disabled = false;
      });
    });
  }

  var figures = document.querySelectorAll("[data-shop-map]");
  for (var i = 0; i < figures.length; i += 1) {
    if (figures[i].hasAttribute("data-map-lazy")) {
      lazy(figures[i]);
    } else if (window.L) {
      draw(figures[i]);
    }
  }
})();
