// The intake page (/documents/new): the pasted text goes to the extract endpoint, which
// proposes its figures (nothing stored); the person unticks what should not be kept and
// confirms, and the document with the ticked proposals goes to POST /api/v1/documents,
// all or nothing. Only the app's own API is called; the key lives in this tab's
// sessionStorage and travels only in the Authorization header (never a cookie).
(function () {
  "use strict";
  var kit = window.PageKit;
  var keys = kit.keyStore("policy-targets.intake-key");
  var words = kit.words("intake-words");
  var lang = kit.lang;
  var el = kit.el;
  var say = kit.sayer(words);
  var fmt = kit.numbers;
  var prefix = lang === "en" ? "?lang=en" : "";
  var form = document.getElementById("intake-form");
  var field = function (name) { return document.getElementById("intake-" + name); };
  var keyInput = field("key");
  var regionSelect = field("region");
  var confirmButton = document.getElementById("confirm");
  var message = document.getElementById("intake-message");
  var table = document.getElementById("intake-proposals");

  var proposals = [];   // as the extract endpoint answered them, the indicator as chosen
  var rows = [];        // per proposal: {tick, notes, outcome, tr}
  var regions = {};     // code -> region
  var indicators = {};  // code -> indicator
  var indicatorList = [];
  var stored = false;   // the document is registered: the table is a record now

  function storedKey() { return keys.get(); }

  function tell(cls, lead, detail, list) {
    message.replaceChildren();
    message.className = "review-message " + cls;
    message.hidden = false;
    message.appendChild(el("p", "lead", lead));
    if (detail) { message.appendChild(el("p", "detail", detail)); }
    if (list && list.length) {
      var ul = el("ul", "moved");
      list.forEach(function (item) { ul.appendChild(item); });
      message.appendChild(ul);
    }
  }

  function call(method, url, body, contentType) {
    var headers = { "Authorization": "Bearer " + storedKey(), "Accept": "application/json" };
    if (contentType) { headers["Content-Type"] = contentType; }
    return fetch(url, { method: method, body: body, headers: headers, credentials: "omit", cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      });
  }

  function read(url) {
    return fetch(url, { credentials: "omit", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); });
  }

  // --- the reference data, through the public API ----------------------------------------

  function loadRegions() {
    return read("/api/v1/regions?limit=1000").then(function (page) {
      var chosen = regionSelect.value || "500000";
      regionSelect.replaceChildren();
      page.items.forEach(function (r) {
        regions[r.code] = r;
        var option = el("option", null, (lang === "en" ? r.name_en : r.name) + " · " + r.code);
        option.value = r.code;
        regionSelect.appendChild(option);
      });
      regionSelect.value = regions[chosen] ? chosen : page.items[0].code;
    });
  }

  function loadIndicators() {
    if (indicatorList.length) { return Promise.resolve(); }
    return read("/api/v1/indicators?limit=1000").then(function (page) {
      indicatorList = page.items.slice().sort(function (a, b) {
        return (lang === "en" ? a.name_en.localeCompare(b.name_en) : a.name.localeCompare(b.name, "zh-CN"));
      });
      indicatorList.forEach(function (i) { indicators[i.code] = i; });
    });
  }

  // --- one proposal as a row -------------------------------------------------------------

  // The quote with its numbers marked, so that the eye goes to what will be stored.
  function quoteNode(quote) {
    var node = el("q", "intake-quote");
    var pattern = /[0-9０-９]+(?:[.,．，][0-9０-９]+)*(?:\s*[%％‰])?/g;
    var at = 0;
    var match;
    while ((match = pattern.exec(quote)) !== null) {
      if (match.index > at) { node.appendChild(document.createTextNode(quote.slice(at, match.index))); }
      node.appendChild(el("mark", "num", match[0]));
      at = match.index + match[0].length;
    }
    if (at < quote.length) { node.appendChild(document.createTextNode(quote.slice(at))); }
    return node;
  }

  function periodText(p) {
    if (p.kind === "observation") { return p.period || "–"; }
    if (p.kind === "plan") { return String(p.year); }
    return p.start_year + "–" + p.end_year;
  }

  function valueNode(p) {
    var span = el("span", "intake-value");
    var parts = [];
    if (p.kind !== "observation" && p.basis && p.basis !== "value") { parts.push(words["basis_" + p.basis] || p.basis); }
    if (p.value !== null && p.value !== undefined) {
      parts.push((p.comparator ? p.comparator + " " : "") + fmt.format(p.value));
    }
    span.appendChild(el("strong", null, parts.join(" ")));
    if (p.yoy_growth !== null && p.yoy_growth !== undefined) {
      var sign = p.yoy_growth > 0 ? "+" : "";
      span.appendChild(el("span", "muted", (parts.length ? " · " : "") + words.yoy + " " + sign + fmt.format(p.yoy_growth) + "%"));
    }
    if (p.reported_completion_rate !== null && p.reported_completion_rate !== undefined) {
      span.appendChild(el("span", "muted", " · " + words.completion + " " + fmt.format(p.reported_completion_rate) + "%"));
    }
    return span;
  }

  function indicatorNode(p, index) {
    var cell = el("div", "intake-indicator");
    var known = p.indicator && indicators[p.indicator];
    if (known && !p.unmatched) {
      cell.appendChild(el("span", null, lang === "en" ? known.name_en : known.name));
      cell.appendChild(el("span", "code", " " + p.indicator));
      return cell;
    }
    // Not matched: the person names it (the choice is kept on the proposal).
    p.unmatched = true;
    var select = el("select", "indicator-choice");
    select.id = "indicator-" + index;
    select.setAttribute("aria-label", words.indicator + " " + (index + 1));
    var none = el("option", null, words.choose_indicator);
    none.value = "";
    select.appendChild(none);
    indicatorList.forEach(function (i) {
      var option = el("option", null, (lang === "en" ? i.name_en : i.name) + " (" + i.unit + ")");
      option.value = i.code;
      select.appendChild(option);
    });
    select.value = p.indicator || "";
    select.addEventListener("change", function () { p.indicator = select.value || null; });
    cell.appendChild(select);
    cell.appendChild(el("span", "unmatched", say("unmatched", p.indicator_phrase)));
    return cell;
  }

  // ``label``: the column's name, which a phone shows before the value (none for the kind
  // and the indicator, which say what they are).
  function cell(tr, label, content, cls) {
    var td = el("td", cls);
    if (label) { td.setAttribute("data-label", label); }
    if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); }
    tr.appendChild(td);
    return td;
  }

  function renderProposals() {
    table.replaceChildren();
    table.hidden = false;
    rows = [];
    var head = el("div", "proposals-head");
    head.appendChild(el("h2", null, words.proposals));
    var counter = el("span", "count");
    counter.id = "ticked-count";
    head.appendChild(counter);
    table.appendChild(head);
    if (!proposals.length) { updateCount(); return; }
    var wrap = el("div", "table-wrap");
    var t = el("table", "proposals");
    var thead = el("thead");
    var hr = el("tr");
    var all = el("input");
    all.type = "checkbox";
    all.checked = true;
    all.id = "tick-all";
    all.setAttribute("aria-label", words.keep);
    var th0 = el("th", "pick");
    th0.appendChild(all);
    hr.appendChild(th0);
    ["kind", "indicator", "region", "period", "value", "unit", "confidence"].forEach(function (k) {
      hr.appendChild(el("th", null, words[k]));
    });
    thead.appendChild(hr);
    t.appendChild(thead);
    proposals.forEach(function (p, index) {
      var tbody = el("tbody", "proposal");
      tbody.id = "proposal-" + index;
      var tr = el("tr", "main");
      var tick = el("input");
      tick.type = "checkbox";
      tick.checked = true;
      tick.className = "keep";
      tick.setAttribute("aria-label", words.keep + " " + (index + 1));
      var pick = el("td", "pick");
      pick.appendChild(tick);
      tr.appendChild(pick);
      var kind = el("span", "kind k-" + p.kind, words[p.kind]);
      cell(tr, null, kind, "kind-cell");
      cell(tr, null, indicatorNode(p, index), "indicator-cell");
      var region = regions[p.region];
      cell(tr, words.region, region ? (lang === "en" ? region.name_en : region.name) : p.region);
      cell(tr, words.period, periodText(p), "num");
      cell(tr, words.value, valueNode(p), "num");
      cell(tr, words.unit, p.unit || "");
      var confidence = Math.round(Number(p.confidence) * 100) + "%";
      var conf = cell(tr, words.confidence, confidence, "num conf" + (p.confidence < 0.7 ? " low" : ""));
      if (p.confidence < 0.7) { conf.title = words.low_confidence; }
      tbody.appendChild(tr);
      var qr = el("tr", "quote-row");
      var qd = el("td", "quote-cell");
      qd.colSpan = 8;
      qd.appendChild(quoteNode(p.quote));
      var notes = el("ul", "row-notes");
      qd.appendChild(notes);
      qr.appendChild(qd);
      tbody.appendChild(qr);
      t.appendChild(tbody);
      tick.addEventListener("change", function () {
        tbody.classList.toggle("off", !tick.checked);
        updateCount();
      });
      rows.push({ tick: tick, notes: notes, body: tbody });
    });
    all.addEventListener("change", function () {
      rows.forEach(function (r) { r.tick.checked = all.checked; r.body.classList.toggle("off", !all.checked); });
      updateCount();
    });
    wrap.appendChild(t);
    table.appendChild(wrap);
    updateCount();
  }

  function updateCount() {
    var counter = document.getElementById("ticked-count");
    var n = rows.filter(function (r) { return r.tick.checked; }).length;
    if (counter) { counter.textContent = say("ticked", n).replace("{m}", rows.length); }
  }

  function note(index, cls, text, link) {
    var li = el("li", cls, text);
    if (link) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(link);
    }
    rows[index].notes.appendChild(li);
  }

  function clearNotes() {
    rows.forEach(function (r) { r.notes.replaceChildren(); r.body.classList.remove("bad", "done"); });
  }

  // --- propose ----------------------------------------------------------------------------

  // Control characters (a PDF's form feeds) become line breaks: the stored text is plain.
  function cleanText() {
    return field("text").value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, "\n");
  }

  function remember() {
    var key = keyInput.value.trim();
    if (key) { keys.set(key); }
    keyInput.value = "";
    keyInput.placeholder = storedKey() ? words.key_kept : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    remember();
    if (!storedKey()) { tell("bad", words.no_key); return; }
    var text = cleanText();
    if (!text.trim()) { tell("bad", words.no_text); return; }
    field("text").value = text;
    stored = false;
    confirmButton.disabled = true;
    tell("", words.proposing);
    var query = ["region=" + encodeURIComponent(regionSelect.value)];
    var day = field("date").value;
    if (day) { query.push("year=" + day.slice(0, 4)); }
    if (field("kind").value) { query.push("kind=" + field("kind").value); }
    loadIndicators().then(function () {
      return call("POST", "/api/v1/documents/extract?" + query.join("&"), text, "text/plain; charset=utf-8");
    }).then(function (answer) {
      if (!answer.ok) {
        var data = answer.data || {};
        tell("bad", words[data.error] || words.failed + " (HTTP " + answer.status + ")", data.message);
        table.hidden = true;
        return;
      }
      proposals = answer.data.items;
      renderProposals();
      confirmButton.disabled = false;
      if (proposals.length) {
        tell("good", say("proposed", proposals.length), words.proposed_next);
      } else {
        tell("", words.proposed_none);
      }
    }).catch(function () { tell("bad", words.failed); });
  });

  // --- confirm ----------------------------------------------------------------------------

  function documentBody(sent) {
    var body = {
      code: field("code").value.trim(),
      title: field("title").value.trim(),
      published_on: field("date").value,
      region: regionSelect.value,
      text: field("text").value,
      items: sent.map(function (index) {
        var p = Object.assign({}, proposals[index]);
        delete p.unmatched;
        return p;
      })
    };
    if (field("kind").value) { body.kind = field("kind").value; }
    if (field("issuer").value.trim()) { body.issuer = field("issuer").value.trim(); }
    return body;
  }

  function missingFields() {
    var missing = [];
    [["code", "intake_code"], ["title", "intake_title_field"], ["date", "intake_date"]].forEach(function (pair) {
      if (!field(pair[0]).value.trim()) { missing.push(field(pair[0]).labels[0].textContent); }
    });
    return missing;
  }

  function goalLink(kind, id) {
    var a = el("a", null, words["open_" + kind]);
    a.href = "/" + kind + "s/" + id + prefix;
    return a;
  }

  function showStored(data, sent) {
    stored = true;
    confirmButton.disabled = true;
    rows.forEach(function (r) { r.tick.disabled = true; });
    document.getElementById("tick-all") && (document.getElementById("tick-all").disabled = true);
    var counts = data.stored;
    var open = el("a", null, words.open_document);
    open.href = "/documents/" + encodeURIComponent(data.document.code) + prefix;
    open.id = "open-document";
    var line = words.stored_counts.replace("{t}", counts.targets).replace("{p}", counts.plans)
      .replace("{c}", counts.cited).replace("{o}", counts.observations).replace("{w}", counts.pending);
    var li = el("li");
    li.appendChild(open);
    tell("good", say("stored", data.document.code), line, [li]);
    (data.items || []).forEach(function (outcome) {
      var index = sent[outcome.index];
      rows[index].body.classList.add("done");
      var text = words[outcome.action] + (outcome.state === "pending" ? " · " + words.pending : "");
      var link = outcome.kind === "observation" ? null : goalLink(outcome.kind, outcome.id);
      note(index, "ok", "✔ " + text, link);
    });
    rows.forEach(function (r, index) {
      if (!r.tick.checked) { note(index, "skipped", words.not_stored); }
    });
    (data.warnings || []).forEach(function (w) { rowProblem(w, sent, "warn"); });
  }

  // A problem named items[i].field goes on its row; any other on the message.
  function rowProblem(problem, sent, cls) {
    var match = /^items\[(\d+)\](?:\.(.+))?$/.exec(problem.field || "");
    if (!match || sent[Number(match[1])] === undefined) { return false; }
    var index = sent[Number(match[1])];
    if (cls === "bad") { rows[index].body.classList.add("bad"); }
    var name = match[2] ? (words[match[2]] || match[2]) : "";
    note(index, cls, (name ? name + ": " : "") + problem.message);
    return true;
  }

  confirmButton.addEventListener("click", function () {
    if (stored) { return; }
    remember();
    if (!storedKey()) { tell("bad", words.no_key); return; }
    var missing = missingFields();
    if (missing.length) { tell("bad", say("missing", missing.join(lang === "en" ? ", " : "、"))); return; }
    var sent = [];
    rows.forEach(function (r, index) { if (r.tick.checked) { sent.push(index); } });
    clearNotes();
    confirmButton.disabled = true;
    tell("", words.confirming);
    call("POST", "/api/v1/documents", JSON.stringify(documentBody(sent)), "application/json")
      .then(function (answer) {
        var data = answer.data || {};
        if (answer.ok) { showStored(data, sent); return; }
        confirmButton.disabled = false;
        var others = [];
        var bad = {};
        (data.errors || []).forEach(function (problem) {
          if (rowProblem(problem, sent, "bad")) {
            bad[problem.field.split("]")[0]] = true;
          } else {
            others.push(el("li", null, problem.field + ": " + problem.message));
          }
        });
        var rowsBad = Object.keys(bad).length;
        var lead = data.error === "validation_error" && rowsBad ? say("refused", rowsBad) : (words[data.error] || words.failed + " (HTTP " + answer.status + ")");
        tell("bad", lead, data.message, others);
        if (data.error === "document_exists") { field("code").focus(); }
      })
      .catch(function () { tell("bad", words.failed); confirmButton.disabled = false; });
  });

  document.getElementById("forget-key").addEventListener("click", function () {
    keys.forget();
    keyInput.placeholder = "";
    tell("", words.key_forgotten);
  });

  if (storedKey()) { keyInput.placeholder = words.key_kept; }
  loadRegions().catch(function () { return; });
})();
