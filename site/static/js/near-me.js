/*
 * "現在地から探す": search near the visitor's position, an enhancement.
 *
 * The button is `hidden` in the HTML and shown only when JavaScript and
 * navigator.geolocation exist; without them the visitor chooses a
 * municipality (the same form works without this script). On a click the
 * browser asks for the position; it is rounded to about 100 m (three
 * decimals: the URL can be shared and is logged), written into the hidden
 * lat/lng inputs, and the form is submitted. The position replaces an area
 * or municipality choice. Messages come translated from data-* attributes
 * and are announced through the form's role="status" paragraph.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-near-me-form]");
  // Landed on the results (the form's action ends in #results-heading): focus the
  // heading too, so a screen reader starts there.
  if (window.location.hash === "#results-heading") {
    var heading = document.getElementById("results-heading");
    if (heading) {
      heading.focus();
    }
  }
  if (!form || !("geolocation" in navigator)) {
    return;
  }
  var button = form.querySelector("[data-near-me-button]");
  var status = form.querySelector("[data-near-me-status]");
  var fieldset = form.querySelector("[data-near-me-fieldset]");
  if (!button || !fieldset || !form.elements.lat || !form.elements.lng) {
    return;
  }

  function say(message) {
    if (status) {
      status.textContent = message || "";
    }
  }

  // The distance can be chosen before asking for the position.
  fieldset.hidden = false;
  fieldset.disabled = false;
  button.hidden = false;

  button.addEventListener("click", function () {
    button.disabled = true;
    say(button.getAttribute("data-locating"));
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(3);
        form.elements.lng.value = position.coords.longitude.toFixed(3);
        ["area", "municipality"].forEach(function (name) {
          if (form.elements[name]) {
            form.elements[name].value = "";
          }
        });
        form.submit();
      },
      function (error) {
        button.disabled = false;
        say(button.getAttribute(
          error && error.code === 1 ? "data-denied" : "data-failed"
        ));
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
    );
  });
})();
