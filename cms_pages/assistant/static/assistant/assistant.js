/* The FAQ assistant's chat panel: a native <dialog> (focus kept inside, Escape
 * closes, focus returns to the button), answers appended to a role="log" live
 * region. Without JavaScript the link to /assistant/ stays (a server-side form). */
(function () {
  "use strict";
  var root = document.querySelector("[data-assistant]");
  if (!root || typeof HTMLDialogElement !== "function" || !window.fetch) return;
  var link = root.querySelector("[data-assistant-link]");
  var opener = root.querySelector("[data-assistant-open]");
  var dialog = root.querySelector("[data-assistant-dialog]");
  var closer = root.querySelector("[data-assistant-close]");
  var log = root.querySelector("[data-assistant-log]");
  var form = root.querySelector("[data-assistant-form]");
  var input = root.querySelector("[data-assistant-input]");
  var strings = {};
  root.querySelector("[data-assistant-strings]").content.querySelectorAll("[data-key]")
    .forEach(function (el) { strings[el.dataset.key] = el.textContent; });
  link.hidden = true;
  opener.hidden = false;

  // Opened from the footer's button or from any link marked data-assistant-trigger
  // (the header menu); focus goes back to whichever opened it.
  var returnTo = opener;
  function open(from) {
    returnTo = from;
    var menu = from.closest("details[open]:not(.p-menu--bar)");
    if (menu) menu.open = false;
    dialog.showModal();
    input.focus();
  }
  opener.addEventListener("click", function () { open(opener); });
  document.querySelectorAll("[data-assistant-trigger]").forEach(function (trigger) {
    trigger.addEventListener("click", function (event) {
      event.preventDefault();
      open(trigger);
    });
  });
  closer.addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () {
    var target = returnTo;
    if (!target.offsetParent) {
      var summary = document.querySelector("[data-menu] > summary");
      target = summary && summary.offsetParent ? summary : opener;
    }
    target.focus();
  });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function linkList(links) {
    var list = el("ul", "a-answer__links");
    links.forEach(function (item) {
      var li = el("li"), a = el("a", "", item.text);
      a.href = item.url;
      li.appendChild(a);
      list.appendChild(li);
    });
    return list;
  }

  function entry(data, headingTag) {
    var article = el("article", "a-answer");
    article.appendChild(el(headingTag, "a-answer__question", data.question));
    var body = el("div", "a-answer__body p-rich-text");
    body.innerHTML = data.answer_html; // the FAQ's rich text, from the CMS
    article.appendChild(body);
    if (data.links.length) article.appendChild(linkList(data.links));
    return article;
  }

  function feedback(faqId) {
    var box = el("div", "a-feedback");
    box.appendChild(el("span", "a-feedback__label", strings.helped));
    [["yes", true], ["no", false]].forEach(function (choice) {
      var button = el("button", "p-button", strings[choice[0]]);
      button.type = "button";
      button.addEventListener("click", function () {
        fetch(root.dataset.feedbackApi, {
          method: "POST", credentials: "omit",
          headers: {"Content-Type": "application/json", "Accept": "application/json"},
          body: JSON.stringify({faq_id: faqId, helpful: choice[1]})
        }).finally(function () {
          box.replaceChildren(el("p", "a-notice", strings.thanks));
          input.focus();
        });
      });
      box.appendChild(button);
    });
    return box;
  }

  function render(data) {
    var reply = el("div", "a-panel__reply");
    reply.appendChild(el("p", "a-panel__who", strings.answer));
    reply.appendChild(el("p", "a-panel__message", data.message));
    if (data.answer) {
      reply.appendChild(entry(data.answer, "h3"));
      reply.appendChild(feedback(data.answer.id));
    }
    if (data.shop_search) reply.appendChild(linkList([data.shop_search]));
    if (data.alternatives.length) {
      var more = el("details", "a-panel__more");
      more.appendChild(el("summary", "", strings.more));
      data.alternatives.forEach(function (alt) { more.appendChild(entry(alt, "h4")); });
      reply.appendChild(more);
    }
    return reply;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value;
    var mine = el("div", "a-panel__mine");
    mine.appendChild(el("p", "a-panel__who", strings.you));
    mine.appendChild(el("p", "", question));
    log.appendChild(mine);
    input.value = "";
    fetch(root.dataset.api, {
      method: "POST", credentials: "omit",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({question: question})
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (result) {
      if (result.ok) {
        log.appendChild(render(result.data));
      } else {
        var detail = (result.data.errors && result.data.errors[0] && result.data.errors[0].detail) ||
          result.data.detail || strings.error;
        log.appendChild(el("p", "a-panel__error", detail));
      }
    }).catch(function () {
      log.appendChild(el("p", "a-panel__error", strings.error));
    }).finally(function () {
      log.scrollTop = log.scrollHeight;
      input.focus();
    });
  });
})();
