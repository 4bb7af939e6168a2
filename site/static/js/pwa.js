/*
 * The installable app, enhanced (notifications/pwa.py serves the worker at /sw.js).
 * Without this script every page still works; with it:
 *  - the service worker is registered (offline page, the card offline);
 *  - a new version announces itself in a banner and takes over only when the user
 *    presses "Update" (then the page reloads once);
 *  - on the notifications page (data-push-settings): the subscribe button, shown
 *    only where Web Push works, asks for permission only when pressed (a user
 *    gesture); on iPhone/iPad outside the Home Screen app the guide is opened
 *    instead, as iOS allows push only there.
 */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "ja";
  var ja = lang.indexOf("ja") === 0;
  var TEXT = {
    update: ja ? "新しいバージョンがあります。" : "A new version is available.",
    updateButton: ja ? "更新する" : "Update",
    later: ja ? "あとで" : "Later",
    asking: ja ? "通知の許可を確認しています…" : "Asking for permission…",
    denied: ja ? "通知が許可されませんでした。ブラウザの設定で許可してから、もう一度お試しください。"
      : "Notifications were not allowed. Allow them in the browser's settings and try again.",
    done: ja ? "この端末で通知を受け取るように設定しました。" : "Notifications are on for this device.",
    off: ja ? "この端末の通知を停止しました。" : "Notifications are off for this device.",
    failed: ja ? "設定できませんでした。時間をおいてもう一度お試しください。"
      : "That did not work. Please try again later."
  };

  if (!("serviceWorker" in navigator)) {
    return;
  }

  function showUpdateBanner(registration) {
    if (document.querySelector("[data-pwa-update]")) {
      return;
    }
    var banner = document.createElement("div");
    banner.className = "p-pwa-update";
    banner.setAttribute("role", "status");
    banner.setAttribute("data-pwa-update", "");
    var text = document.createElement("span");
    text.textContent = TEXT.update;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "p-button";
    button.textContent = TEXT.updateButton;
    var later = document.createElement("button");
    later.type = "button";
    later.className = "p-button p-button--secondary";
    later.textContent = TEXT.later;
    banner.appendChild(text);
    banner.appendChild(button);
    banner.appendChild(later);
    document.body.appendChild(banner);
    button.addEventListener("click", function () {
      window.__portalReloadOnUpdate = true;
      if (registration.waiting) {
        registration.waiting.postMessage({ type: "SKIP_WAITING" });
      }
    });
    later.addEventListener("click", function () {
      banner.remove();
    });
  }

  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (window.__portalReloadOnUpdate) {
      window.__portalReloadOnUpdate = false;
      window.location.reload();
    }
  });

  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
      if (registration.waiting && navigator.serviceWorker.controller) {
        showUpdateBanner(registration);
      }
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        if (!worker) {
          return;
        }
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) {
            showUpdateBanner(registration);
          }
        });
      });
    }).catch(function () { /* no worker: the site works as before */ });
    // The card's first visit came before the worker controlled the page: ask it to
    // keep the card now, so it opens offline from the first visit on.
    if (document.querySelector("[data-card-page]") && !navigator.serviceWorker.controller) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) {
          registration.active.postMessage({ type: "CACHE_CARD" });
        }
      });
    }
    setupPush();
  });

  // --- notifications page ----------------------------------------------------------

  function keyBytes(base64url) {
    var padding = "=".repeat((4 - (base64url.length % 4)) % 4);
    var raw = atob((base64url + padding).replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function isIos() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function isStandalone() {
    return window.matchMedia("(display-mode: standalone)").matches ||
      window.navigator.standalone === true;
  }

  function setupPush() {
    var root = document.querySelector("[data-push-settings]");
    if (!root) {
      return;
    }
    var status = root.querySelector("[data-push-status]");
    var controls = root.querySelector("[data-push-controls]");
    var subscribeButton = root.querySelector("[data-push-subscribe]");
    var unsubscribeButton = root.querySelector("[data-push-unsubscribe]");
    var unsupported = root.querySelector("[data-push-unsupported]");
    var guide = root.querySelector("[data-ios-guide]");

    if (isIos() && !isStandalone()) {
      if (guide) {
        guide.open = true;
      }
      return; // iOS: push only from the Home Screen app
    }
    if (!("PushManager" in window) || !("Notification" in window)) {
      return;
    }
    unsupported.hidden = true;
    controls.hidden = false;

    function say(message) {
      status.textContent = message;
    }

    function post(url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf-token") },
        body: JSON.stringify(body)
      });
    }

    navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      unsubscribeButton.hidden = !subscription;
    }).catch(function () { /* nothing to show */ });

    subscribeButton.addEventListener("click", function () {
      // Asked only here, in answer to the user's press.
      say(TEXT.asking);
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          throw new Error("denied");
        }
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(root.getAttribute("data-vapid-key"))
        });
      }).then(function (subscription) {
        var data = subscription.toJSON();
        var label = document.getElementById("push-device-label");
        return post(root.getAttribute("data-subscribe-url"), {
          endpoint: data.endpoint,
          keys: data.keys,
          device_label: label ? label.value.trim().slice(0, 100) : "",
          general_news_only: root.getAttribute("data-signed-in") !== "true"
        });
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        say(TEXT.done);
        unsubscribeButton.hidden = false;
        if (root.getAttribute("data-signed-in") === "true") {
          window.location.reload();
        }
      }).catch(function (error) {
        say(error && error.message === "denied" ? TEXT.denied : TEXT.failed);
      });
    });

    unsubscribeButton.addEventListener("click", function () {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.getSubscription();
      }).then(function (subscription) {
        if (!subscription) {
          return null;
        }
        var data = subscription.toJSON();
        return subscription.unsubscribe().then(function () {
          return post(root.getAttribute("data-subscribe-url") + "/remove",
            { endpoint: data.endpoint, auth: data.keys.auth });
        });
      }).then(function () {
        say(TEXT.off);
        unsubscribeButton.hidden = true;
        if (root.getAttribute("data-signed-in") === "true") {
          window.location.reload();
        }
      }).catch(function () {
        say(TEXT.failed);
      });
    });
  }
}());
