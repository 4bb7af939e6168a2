/* The campaign form (back office): a live count of the devices the conditions target. */
(function () {
  "use strict";
  var output = document.querySelector("[data-campaign-audience]");
  if (!output || !window.fetch) {
    return;
  }
  var form = output.closest("form");
  var url = output.getAttribute("data-count-url");
  var timer = null;
  function update() {
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { output.textContent = data.label; } })
      .catch(function () { /* the send screen shows the count too */ });
  }
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
  update();
}());
