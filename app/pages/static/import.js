// The import page (/import): sends a CSV or XLSX file to the app's own import endpoint,
// first as a dry run (every check, nothing stored), then for real. The key lives in this
// tab's sessionStorage and travels only in the Authorization header (never a cookie).
(function () {
  "use strict";
  var kit = window.PageKit;
  var keys = kit.keyStore("policy-targets.import-key");
  var API = "/api/v1/observations/import";
  var words = kit.words("import-words");
  var lang = kit.lang;
  var form = document.getElementById("import-form");
  var keyInput = document.getElementById("import-key");
  var fileInput = document.getElementById("import-file");
  var sheetInput = document.getElementById("import-sheet");
  var storeButton = document.getElementById("store");
  var message = document.getElementById("import-message");
  var result = document.getElementById("import-result");
  // The file that passed its dry run, and the Idempotency-Key it will be stored under.
  var checked = null;
  var prefix = lang === "en" ? "?lang=en" : "";
  var fmt = kit.numbers;
  var say = kit.sayer(words);
  var el = kit.el;
  var storedKey = keys.get;

  function tell(cls, lead, detail) {
    message.replaceChildren();
    message.className = "review-message " + cls;
    message.hidden = false;
    message.appendChild(el("p", "lead", lead));
    if (detail) { message.appendChild(el("p", "detail", detail)); }
  }

  function send(file, dryRun, idempotencyKey) {
    var body = new FormData();
    body.append("file", file);
    var query = [];
    if (dryRun) { query.push("dry_run=true"); }
    if (sheetInput.value.trim()) { query.push("sheet=" + encodeURIComponent(sheetInput.value.trim())); }
    var headers = { "Authorization": "Bearer " + storedKey(), "Accept": "application/json" };
    if (idempotencyKey) { headers["Idempotency-Key"] = idempotencyKey; }
    var url = API + (query.length ? "?" + query.join("&") : "");
    return fetch(url, { method: "POST", body: body, headers: headers, credentials: "omit", cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      });
  }

  // Problems by row and field, in a table a person can work down.
  function problems(title, list, cls) {
    var section = el("div", "import-problems " + cls);
    section.appendChild(el("h2", null, title + " (" + list.length + ")"));
    var table = el("table", "figures");
    var head = el("tr");
    ["row", "field", "problem"].forEach(function (k) { head.appendChild(el("th", null, words[k])); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var tbody = el("tbody");
    list.forEach(function (p) {
      var tr = el("tr");
      tr.appendChild(el("td", "num", p.row === undefined || p.row === null ? "–" : String(p.row)));
      tr.appendChild(el("td", null, p.field));
      tr.appendChild(el("td", null, p.message));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    section.appendChild(table);
    return section;
  }

  function goalLinks(data) {
    var goals = [];
    (data.targets || []).forEach(function (g) { goals.push(["targets", words.target, g]); });
    (data.plans || []).forEach(function (g) { goals.push(["plans", words.plan, g]); });
    var section = el("div", "import-goals");
    if (!goals.length) { section.appendChild(el("p", null, words.no_goal)); return section; }
    section.appendChild(el("h2", null, words.moved));
    var ul = el("ul", "moved-goals");
    goals.forEach(function (item) {
      var g = item[2];
      var li = el("li");
      var goal = g.comparator + " " + fmt.format(g.value) + " " + g.unit;
      var a = el("a", null, item[1] + " · " + g.indicator.name + " · " + g.region.name +
        " (" + (g.year || (g.start_year + "–" + g.end_year)) + ") " + goal);
      a.href = "/" + item[0] + "/" + g.id + prefix;
      li.appendChild(a);
      li.appendChild(el("span", "badge s-" + g.progress.status, words["status_" + g.progress.status] || g.progress.status));
      ul.appendChild(li);
    });
    section.appendChild(ul);
    return section;
  }

  function showAnswer(answer, dryRun) {
    result.replaceChildren();
    result.hidden = false;
    var data = answer.data || {};
    if (dryRun && answer.ok) {
      if (data.valid) {
        tell("good", say("dry_ok", data.rows), words.dry_ok_next);
      } else {
        tell("bad", say("dry_bad", data.rows), data.message);
      }
    } else if (answer.ok) {
      tell("good", say("stored", (data.items || []).length));
    } else {
      tell("bad", words[data.error] || words.failed + " (HTTP " + answer.status + ")", data.message);
    }
    if (data.errors && data.errors.length) { result.appendChild(problems(words.errors, data.errors, "bad")); }
    if (data.warnings && data.warnings.length) { result.appendChild(problems(words.warnings, data.warnings, "warn")); }
    if (answer.ok && (data.valid !== false)) { result.appendChild(goalLinks(data)); }
  }

  function remember() {
    var key = keyInput.value.trim();
    if (key) { keys.set(key); }
    keyInput.value = "";
    keyInput.placeholder = storedKey() ? words.key_kept : "";
    keyInput.required = !storedKey();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    remember();
    var file = fileInput.files[0];
    if (!storedKey()) { tell("bad", words.no_key); return; }
    if (!file) { tell("bad", words.no_file); return; }
    storeButton.disabled = true;
    checked = null;
    tell("", words.checking);
    send(file, true).then(function (answer) {
      showAnswer(answer, true);
      if (answer.ok && answer.data.valid) {
        // One key per checked file: pressing "store" twice stores it once.
        checked = { file: file, idempotency: "page-" + Date.now() + "-" + Math.random().toString(36).slice(2) };
        storeButton.disabled = false;
      }
    }).catch(function () { tell("bad", words.failed); });
  });

  storeButton.addEventListener("click", function () {
    if (!checked) { return; }
    storeButton.disabled = true;
    tell("", words.storing);
    send(checked.file, false, checked.idempotency).then(function (answer) {
      showAnswer(answer, false);
      if (answer.ok) { fileInput.value = ""; checked = null; }
      else { storeButton.disabled = false; }
    }).catch(function () { tell("bad", words.failed); storeButton.disabled = false; });
  });

  fileInput.addEventListener("change", function () { storeButton.disabled = true; checked = null; });

  document.getElementById("forget-key").addEventListener("click", function () {
    keys.forget();
    keyInput.placeholder = "";
    keyInput.required = true;
    tell("", words.key_forgotten);
  });

  if (storedKey()) { keyInput.placeholder = words.key_kept; keyInput.required = false; }
})();
