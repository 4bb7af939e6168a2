/*
 * The digital card page, enhanced. Without this script the page still works:
 * the clock shows the time the page was made and "Get a new code" reloads it.
 *
 * With it:
 *  - the clock ticks every second (anchored to the server's time, so a phone
 *    with a wrong clock still shows the right time);
 *  - each QR code is swapped for a fresh one before it expires, and again
 *    when the page comes back to the foreground;
 *  - if a code cannot be renewed (signed out, no longer eligible, offline),
 *    it is dimmed and the note says to get a new code.
 */
(function () {
  "use strict";

  var page = document.querySelector("[data-card-page]");
  if (!page || !window.fetch) {
    return;
  }

  var lang = document.documentElement.lang || "ja";
  var timeZone = page.getAttribute("data-time-zone") || "Asia/Tokyo";
  var serverTime = Date.parse(page.getAttribute("data-server-time"));
  var refreshSeconds = parseInt(page.getAttribute("data-refresh-interval"), 10) || 120;
  var anchorServer = isNaN(serverTime) ? Date.now() : serverTime;
  var anchorLocal = performance.now();
  var lastRefresh = Date.now();

  var dateFormat, timeFormat;
  try {
    dateFormat = new Intl.DateTimeFormat(lang, {
      timeZone: timeZone, year: "numeric", month: "long", day: "numeric"
    });
    timeFormat = new Intl.DateTimeFormat(lang, {
      timeZone: timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit",
      hourCycle: "h23"
    });
  } catch (error) {
    return; // an old browser: keep the server-rendered time
  }

  function now() {
    return new Date(anchorServer + (performance.now() - anchorLocal));
  }

  function tick() {
    var current = now();
    var text = dateFormat.format(current) + " " + timeFormat.format(current);
    var clocks = page.querySelectorAll("[data-card-clock]");
    for (var i = 0; i < clocks.length; i += 1) {
      clocks[i].textContent = text;
      clocks[i].setAttribute("datetime", current.toISOString());
    }
  }

  function markStale(card) {
    var figure = card.querySelector(".p-member-card__qr");
    if (figure) {
      figure.classList.add("p-member-card__qr--stale");
    }
    var status = page.querySelector("[data-card-status]");
    if (status) {
      status.textContent = status.getAttribute("data-stale-message") || status.textContent;
    }
  }

  function refreshCard(card) {
    var url = card.getAttribute("data-code-url");
    if (!url) {
      return Promise.resolve();
    }
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    }).then(function (data) {
      var image = card.querySelector("[data-card-qr]");
      if (image && typeof data.svg === "string" && data.svg.indexOf("<svg") === 0) {
        image.innerHTML = data.svg;
      }
      var expiry = card.querySelector("[data-card-qr-expiry]");
      if (expiry && data.expires_display) {
        expiry.textContent = expiry.textContent.replace(/\d{1,2}:\d{2}/, data.expires_display);
      }
      var figure = card.querySelector(".p-member-card__qr");
      if (figure) {
        figure.classList.remove("p-member-card__qr--stale");
      }
      var serverNow = Date.parse(data.server_time);
      if (!isNaN(serverNow)) {
        anchorServer = serverNow;
        anchorLocal = performance.now();
      }
    }).catch(function () {
      markStale(card);
    });
  }

  function refreshAll() {
    lastRefresh = Date.now();
    var list = page.querySelectorAll("[data-card]");
    for (var i = 0; i < list.length; i += 1) {
      refreshCard(list[i]);
    }
  }

  tick();
  window.setInterval(tick, 1000);
  window.setInterval(function () {
    if (!document.hidden) {
      refreshAll();
    }
  }, refreshSeconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && Date.now() - lastRefresh > refreshSeconds * 1000) {
      refreshAll();
    }
  });
}());
