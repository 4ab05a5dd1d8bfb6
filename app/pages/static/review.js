// The reviewer's page (/review): lists the pending figures of the key's regions and sends
// the reviewer's decision, through the app's own API only. The key lives in this tab's
// sessionStorage and travels only in the Authorization header (never a cookie).
(function () {
  "use strict";
  var kit = window.PageKit;
  var keys = kit.keyStore("policy-targets.review-key");
  var API = "/api/v1/observations";
  var words = kit.words("review-words");
  var lang = kit.lang;
  var keyForm = document.getElementById("key-form");
  var keyInput = document.getElementById("review-key");
  var message = document.getElementById("review-message");
  var queue = document.getElementById("review-queue");
  var list = document.getElementById("pending-list");
  var count = document.getElementById("pending-count");
  var selectAll = document.getElementById("select-all");
  var decideForm = document.getElementById("decide-form");
  var reason = document.getElementById("reason");
  var fmt = kit.numbers;
  var say = kit.sayer(words);
  var el = kit.el;
  var storedKey = keys.get;

  function call(method, url, body) {
    var init = {
      method: method, credentials: "omit", cache: "no-store",
      headers: { "Authorization": "Bearer " + storedKey(), "Accept": "application/json" }
    };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  // A refusal in words: the code's sentence, then what the API said.
  function showError(answer) {
    var code = answer.data && answer.data.error;
    message.replaceChildren();
    message.className = "review-message bad";
    message.hidden = false;
    message.appendChild(el("p", "lead", words[code] || words.failed + " (HTTP " + answer.status + ")"));
    if (answer.data && answer.data.message) {
      message.appendChild(el("p", "detail", words.details + ": " + answer.data.message));
    }
  }

  function when(iso) { return iso ? iso.slice(0, 16).replace("T", " ") + " UTC" : ""; }

  function value(o) {
    if (o.value === null || o.value === undefined) { return "–"; }
    return fmt.format(o.value) + " " + (o.unit || "");
  }

  function figureItem(o) {
    var li = el("li", "figure");
    li.dataset.id = o.id;
    var label = el("label", "figure-pick");
    var box = el("input");
    box.type = "checkbox";
    box.value = o.id;
    box.setAttribute("aria-label", words.select + " " + o.indicator.name + " " + o.period);
    label.appendChild(box);
    var name = el("span", "figure-name", o.indicator.name);
    label.appendChild(name);
    li.appendChild(label);
    var what = el("div", "figure-value");
    what.appendChild(el("strong", null, value(o)));
    what.appendChild(el("span", "tag", o.period));
    if (o.revision > 1) { what.appendChild(el("span", "tag", say("revision", o.revision))); }
    li.appendChild(what);
    li.appendChild(el("p", "figure-who",
      words.posted_by + ": " + o.recorded_by + " · " + words.posted_at + ": " + when(o.recorded_at)));
    var warnings = el("ul", "figure-warnings");
    (o.warnings || []).forEach(function (w) {
      var item = el("li", "warn");
      item.appendChild(el("span", "badge s-needs_acceleration", "⚠ " + (words[w.code] || w.code)));
      item.appendChild(document.createTextNode(" " + w.message));
      warnings.appendChild(item);
    });
    if (!warnings.children.length) { warnings.appendChild(el("li", "ok", words.no_warning)); }
    li.appendChild(warnings);
    if (o.note) { li.appendChild(el("p", "figure-note", o.note)); }
    return li;
  }

  function render(items) {
    list.replaceChildren();
    selectAll.checked = false;
    count.textContent = items.length ? say("count", items.length) : "";
    if (!items.length) {
      list.appendChild(el("p", "empty", words.none));
      decideForm.hidden = true;
      return;
    }
    decideForm.hidden = false;
    var regions = {};
    items.forEach(function (o) {
      (regions[o.region.code] = regions[o.region.code] || { region: o.region, items: [] }).items.push(o);
    });
    Object.keys(regions).sort().forEach(function (code) {
      var group = regions[code];
      var block = el("div", "region-group");
      var h = el("h3", null, group.region.name + " ");
      h.appendChild(el("span", "code", code));
      h.appendChild(el("span", "count", " " + group.items.length));
      block.appendChild(h);
      var ul = el("ul", "figures");
      group.items.sort(function (a, b) {
        return a.indicator.code.localeCompare(b.indicator.code) || a.period.localeCompare(b.period) || a.id - b.id;
      }).forEach(function (o) { ul.appendChild(figureItem(o)); });
      block.appendChild(ul);
      list.appendChild(block);
    });
  }

  function load() {
    if (!storedKey()) { queue.hidden = true; return Promise.resolve(); }
    queue.hidden = false;
    list.replaceChildren(el("p", "empty", words.loading));
    return call("GET", API + "?state=pending&limit=1000").then(function (answer) {
      if (!answer.ok) { queue.hidden = true; showError(answer); return; }
      render(answer.data.items);
    }, function () { queue.hidden = true; showError({ status: 0, data: {} }); });
  }

  function goalLink(kind, g) {
    var href = "/" + kind + "s/" + g.id + (lang === "en" ? "?lang=en" : "");
    var years = kind === "target" ? g.start_year + "–" + g.end_year : String(g.year);
    var goal = g.value === null || g.value === undefined ? "" :
      " · " + (g.comparator || "") + " " + fmt.format(g.value) + " " + (g.unit || "");
    var a = el("a", null,
      words[kind] + " " + years + " · " + g.indicator.name + " · " + g.region.name + goal);
    a.href = href;
    var li = el("li");
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", "badge s-" + g.progress.status, words["status_" + g.progress.status] || g.progress.status));
    return li;
  }

  function showDone(decision, data) {
    message.replaceChildren();
    message.className = "review-message good";
    message.hidden = false;
    message.appendChild(el("p", "lead", say(decision === "approve" ? "approved" : "rejected", data.items.length)));
    if (decision !== "approve") { return; }
    var goals = (data.targets || []).map(function (g) { return goalLink("target", g); })
      .concat((data.plans || []).map(function (g) { return goalLink("plan", g); }));
    if (!goals.length) { message.appendChild(el("p", null, words.no_goal)); return; }
    message.appendChild(el("p", null, words.moved));
    var ul = el("ul", "moved");
    goals.forEach(function (li) { ul.appendChild(li); });
    message.appendChild(ul);
  }

  function decide(decision) {
    var ids = Array.prototype.map.call(
      list.querySelectorAll("input[type=checkbox]:checked"), function (b) { return Number(b.value); });
    var why = reason.value.trim();
    message.hidden = false;
    message.className = "review-message bad";
    if (!ids.length) { message.textContent = words.none_selected; return; }
    if (decision === "reject" && !why) { message.textContent = words.reason_required; reason.focus(); return; }
    message.className = "review-message";
    message.textContent = words.sending;
    var body = { ids: ids, decision: decision };
    if (why) { body.reason = why; }
    call("POST", API + "/review", body).then(function (answer) {
      if (!answer.ok) {
        showError(answer);
        if (answer.status === 409) { load(); }
        return;
      }
      showDone(decision, answer.data);
      reason.value = "";
      load();
    }, function () { showError({ status: 0, data: {} }); });
  }

  keyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var key = keyInput.value.trim();
    if (!key) { message.hidden = false; message.textContent = words.no_key; return; }
    keys.set(key);
    keyInput.value = "";
    message.hidden = true;
    load();
  });
  document.getElementById("forget-key").addEventListener("click", function () {
    keys.forget();
    list.replaceChildren();
    queue.hidden = true;
    message.hidden = true;
  });
  selectAll.addEventListener("change", function () {
    list.querySelectorAll("input[type=checkbox]").forEach(function (b) { b.checked = selectAll.checked; });
  });
  decideForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter || document.activeElement;
    decide(button && button.value === "reject" ? "reject" : "approve");
  });
  load();
}());
