/*
 * The digital card page, enhanced. Without this script the page still works:
 * the clock shows the time the page was made and "Get a new code" reloads it.
 *
 * With it:
 *  - the clock ticks every second from the device's own clock (the page may be
 *    an offline copy made hours ago: only the device knows the time now);
 *  - each QR code is swapped for a fresh one before it expires, and again
 *    when the page comes back to the foreground;
 *  - if a code cannot be renewed (signed out, no longer eligible), it is
 *    dimmed and the note says to get a new code;
 *  - offline (the service worker served its copy: data-offline-copy, or the
 *    network is gone), the page says so with the time of the copy and shows the
 *    day code instead of the five-minute one; once the device's date is past
 *    the day of the copy, the day code goes and the member number is offered.
 */
(function () {
  "use strict";

  var page = document.querySelector("[data-card-page]");
  if (!page || !window.fetch) {
    return;
  }

  var lang = document.documentElement.lang || "ja";
  var timeZone = page.getAttribute("data-time-zone") || "Asia/Tokyo";
  var refreshSeconds = parseInt(page.getAttribute("data-refresh-interval"), 10) || 120;
  var issuedOn = page.getAttribute("data-issued-on") || "";
  var lastRefresh = Date.now();

  var dateFormat, timeFormat, dayFormat;
  try {
    dateFormat = new Intl.DateTimeFormat(lang, {
      timeZone: timeZone, year: "numeric", month: "long", day: "numeric"
    });
    timeFormat = new Intl.DateTimeFormat(lang, {
      timeZone: timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit",
      hourCycle: "h23"
    });
    dayFormat = new Intl.DateTimeFormat("en-CA", {
      timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit"
    });
  } catch (error) {
    return; // an old browser: keep the server-rendered time
  }

  function isOffline() {
    return page.hasAttribute("data-offline-copy");
  }

  function goOffline() {
    page.setAttribute("data-offline-copy", "");
    checkDay(new Date());
  }

  // The day code works until midnight of the day the copy was made.
  function checkDay(current) {
    if (isOffline() && issuedOn && dayFormat.format(current) !== issuedOn) {
      page.setAttribute("data-day-over", "");
    }
  }

  function tick() {
    var current = new Date();
    checkDay(current);
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
    }).catch(function (error) {
      if (error instanceof TypeError) {
        goOffline(); // no network: fetch rejects with a TypeError
      } else {
        markStale(card);
      }
    });
  }

  function refreshAll() {
    lastRefresh = Date.now();
    var list = page.querySelectorAll("[data-card]");
    for (var i = 0; i < list.length; i += 1) {
      refreshCard(list[i]);
    }
  }

  if (navigator.onLine === false) {
    goOffline();
  }
  window.addEventListener("offline", goOffline);
  window.addEventListener("online", function () {
    if (isOffline()) {
      window.location.reload(); // a fresh page, fresh codes: no longer a copy
    }
  });
  tick();
  window.setInterval(tick, 1000);
  window.setInterval(function () {
    if (!document.hidden && !isOffline()) {
      refreshAll();
    }
  }, refreshSeconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !isOffline() && Date.now() - lastRefresh > refreshSeconds * 1000) {
      refreshAll();
    }
  });
}());
