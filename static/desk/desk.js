// The front desk: find a student (scan, number or name), record, and keep today's list current.
// Everything goes through the desk's JSON endpoints, so the common path never reloads the page.
(() => {
  "use strict";

  const data = JSON.parse(document.getElementById("desk-data").textContent);
  const root = document.querySelector(".desk");
  const API = root.dataset.api;
  const LOGIN = root.dataset.login;
  const POLL_MS = 5000;
  // A card reader types a whole number faster than any person: keys closer than this belong to one scan.
  const SCAN_GAP_MS = 50;
  const SCAN_MIN_DIGITS = 4;

  const $ = (selector, scope = document) => scope.querySelector(selector);
  const $$ = (selector, scope = document) => Array.from(scope.querySelectorAll(selector));
  const findForm = $("#find");
  const findInput = $("#find-input");
  const statusLine = $("#status");
  const results = $("#results");
  const studentCard = $("#student");
  const actForm = $("#act");
  const bulkForm = $("#bulk");
  const todayBox = $("#today");
  const filters = $("#filters");

  const state = { mode: "now", student: null, key: newKey(), earlier: null, bulk: [], bulkKey: newKey() };

  // --- talking to the server ------------------------------------------------------------------------

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  // The CSRF cookie is HttpOnly here, so the token comes from the page (the log-out form carries one).
  function csrfToken() {
    const field = $("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async function call(path, { method = "GET", body, params } = {}) {
    const query = params ? `?${new URLSearchParams(params)}` : "";
    const headers = { Accept: "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = csrfToken();
    }
    let response;
    try {
      response = await fetch(API + path + query, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (error) {
      return { ok: false, message: "The server cannot be reached. Nothing was recorded; try again in a moment." };
    }
    if (response.redirected && new URL(response.url).pathname.startsWith(LOGIN)) {
      return { ok: false, signedOut: true, message: "You were logged out. Reload the page to log in again." };
    }
    if ((response.headers.get("Content-Type") || "").includes("application/json")) {
      return { status: response.status, ...(await response.json()) };
    }
    if (response.ok) {
      return { ok: true, html: await response.text() };
    }
    if (response.status === 403) {
      return { ok: false, message: "This page has expired. Reload it, then try again." };
    }
    return { ok: false, message: `The desk could not do that (error ${response.status}). Try again.` };
  }

  // --- messages -------------------------------------------------------------------------------------

  function say(text, tone = "info") {
    statusLine.textContent = text;
    statusLine.className = `message ${tone}`;
    statusLine.hidden = !text;
  }

  function showErrors(form, errors = {}) {
    const slots = new Map($$("[data-error-for]", form).map((slot) => [slot.dataset.errorFor, slot]));
    const texts = new Map();
    for (const [field, messages] of Object.entries(errors)) {
      const target = slots.has(field) ? field : "__all__";
      texts.set(target, [...(texts.get(target) || []), ...messages]);
    }
    for (const [field, slot] of slots) {
      slot.textContent = (texts.get(field) || []).join("\n");
      slot.hidden = !texts.has(field);
    }
    const first = $$("[data-error-for]:not([hidden])", form)[0];
    if (first) {
      first.setAttribute("role", "alert");
    }
  }

  function refusalOf(result) {
    if (result.errors) {
      return Object.values(result.errors).flat().join(" ");
    }
    return result.message || "That did not work; try again.";
  }

  // --- modes ----------------------------------------------------------------------------------------

  function setMode(mode) {
    state.mode = mode;
    for (const button of $$(".mode")) {
      button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
    }
    $$("[data-for-mode]", actForm).forEach((part) => (part.hidden = part.dataset.forMode !== mode));
    bulkForm.hidden = mode !== "bulk";
    if (mode === "bulk") {
      renderReasons($("#bulk-reasons"), "late_check_in");
      renderBulk();
    }
    startOver();
  }

  function startOver(message) {
    state.student = null;
    state.earlier = null;
    state.key = newKey();
    studentCard.hidden = true;
    actForm.hidden = true;
    actForm.reset();
    $("#earlier").hidden = true;
    showErrors(actForm);
    results.hidden = true;
    results.replaceChildren();
    findInput.value = "";
    if (message !== undefined) {
      say(message.text, message.tone);
    } else {
      say("");
    }
    if (state.mode === "delayed") {
      $("#act-date").max = data.today;
    }
    findInput.focus();
  }

  // --- finding a student ----------------------------------------------------------------------------

  async function find(text) {
    const typed = text.trim();
    if (!typed) {
      return;
    }
    if (/^\d+$/.test(typed)) {
      await showLookup(await call("student", { params: { id: typed } }));
    } else {
      await searchNames(typed);
    }
  }

  async function searchNames(text) {
    const result = await call("search", { params: { q: text } });
    results.replaceChildren();
    if (!result.students) {
      say(refusalOf(result), "error");
      return;
    }
    if (!result.students.length) {
      say(`No student of this building matches “${text}”.`, "error");
      results.hidden = true;
      return;
    }
    say(`${result.students.length} found. Use the arrow keys and Enter to choose.`);
    for (const student of result.students) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "result";
      button.dataset.student = student.id;
      button.textContent = `${student.name} · ${student.visible_id} · grade ${student.grade} · ${student.school}`;
      const item = document.createElement("li");
      item.append(button);
      results.append(item);
    }
    results.hidden = false;
  }

  async function pick(studentId) {
    await showLookup(await call(`students/${studentId}`));
  }

  async function showLookup(result) {
    results.hidden = true;
    findInput.value = "";
    if (state.mode === "bulk") {
      addToBulk(result);
      return;
    }
    if (!result.student) {
      startOver({ text: refusalOf(result), tone: "error" });
      return;
    }
    showStudent(result.student);
    say(result.ok ? "" : result.message, result.ok ? "info" : "error");
  }

  function showStudent(student) {
    state.student = student;
    state.key = newKey();
    state.earlier = null;
    $("#student-name").textContent = student.name;
    const facts = [`Number ${student.visible_id}`, `grade ${student.grade}`, student.school];
    if (student.preferred_name) {
      facts.push(`legal name ${student.first_name} ${student.last_name}`);
    }
    $("#student-facts").textContent = facts.filter(Boolean).join(" · ");
    const note = $("#student-note");
    note.textContent = student.note ? `Note: ${student.note}` : "";
    note.hidden = !student.note;
    renderToday(student.today || []);
    $("#spot-sync").hidden = !student.may_sync;
    studentCard.hidden = false;
    actForm.reset();
    actForm.hidden = Boolean(student.problem);
    $("#earlier").hidden = true;
    showErrors(actForm);
    if (!student.problem) {
      prepareAct();
    }
  }

  function renderToday(events) {
    const list = $("#student-today");
    list.replaceChildren(
      ...events.map((event) => {
        const item = document.createElement("li");
        item.textContent = `Today: ${event.kind_label} at ${event.time} (${event.reason})`;
        return item;
      }),
    );
  }

  // --- recording now or later -----------------------------------------------------------------------

  function chosenKind() {
    return $("input[name=kind]:checked", actForm).value;
  }

  function prepareAct() {
    const kind = chosenKind();
    renderReasons($("#act-reasons"), kind);
    const withPickup = kind === "early_check_out" && state.mode === "now";
    $("#pickup").hidden = !withPickup;
    if (withPickup) {
      renderPickup(state.student.contacts || []);
    }
    $("#act-submit").textContent =
      state.mode === "delayed" ? "Record the delayed entry" : kind === "early_check_out" ? "Record check-out" : "Record check-in";
    const first = $("input[name=reason]", actForm) || $("#act-submit");
    (state.mode === "delayed" ? $("#act-date") : first).focus();
  }

  function renderReasons(fieldset, kind) {
    const reasons = data.reasons[kind] || [];
    const choices = $(".choices", fieldset);
    choices.replaceChildren(
      ...reasons.map((reason) => radio("reason", reason.id, reason.label)),
    );
    if (!reasons.length) {
      choices.textContent = "No reasons are set up for this; ask your district's RaptorLink administrator.";
    }
  }

  function radio(name, value, text) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = value;
    label.append(input, ` ${text}`);
    return label;
  }

  function renderPickup(contacts) {
    const choices = $(".choices", $("#pickup"));
    choices.replaceChildren(...contacts.map(contactChoice));
    if (!contacts.length) {
      choices.textContent = "PowerSchool lists no contacts for this student.";
    }
    $("#override").hidden = true;
  }

  function contactChoice(contact) {
    const label = radio("pickup", contact.id, "");
    label.className = `contact ${contact.authorised ? "authorised" : "not-authorised"}`;
    label.dataset.authorised = String(contact.authorised);
    const name = document.createElement("strong");
    name.textContent = contact.name;
    const details = document.createElement("span");
    const phones = contact.phones.map((phone) => `${phone.type ? `${phone.type} ` : ""}${phone.number}`).join(", ");
    details.textContent = [contact.relationship, phones].filter(Boolean).join(" · ");
    const flags = document.createElement("span");
    flags.className = "flags";
    const names = [
      [contact.custodial, "Custodial"],
      [contact.school_pickup, "May pick up"],
      [contact.emergency, "Emergency"],
      [contact.lives_with, "Lives with"],
    ];
    flags.textContent = names.filter(([on]) => on).map(([, flag]) => flag).join(" · ") || "No flags";
    const verdict = document.createElement("span");
    verdict.className = "verdict";
    verdict.textContent = contact.authorised ? "Authorised" : `NOT AUTHORISED — ${contact.why_not}`;
    label.append(name, details, flags, verdict);
    return label;
  }

  function pickupChoice() {
    const chosen = $("input[name=pickup]:checked", actForm);
    if (!chosen) {
      return undefined;
    }
    const override = $("#pickup-override").value;
    if (chosen.value === "other") {
      return { name: $("#pickup-name").value, override };
    }
    return { contact: Number(chosen.value), override };
  }

  function showOverride() {
    const chosen = $("input[name=pickup]:checked", actForm);
    const needed = chosen && (chosen.value === "other" || chosen.closest("label").dataset.authorised === "false");
    $("#override").hidden = !needed;
    if (!needed) {
      $("#pickup-override").value = "";
    }
  }

  function actBody(update) {
    const body = {
      key: state.key,
      student: state.student.id,
      kind: chosenKind(),
      reason: Number(($("input[name=reason]:checked", actForm) || {}).value) || null,
      note: $("#act-note").value,
    };
    if (state.mode === "delayed") {
      Object.assign(body, { delayed: true, date: $("#act-date").value, time: $("#act-time").value });
    } else if (body.kind === "early_check_out") {
      body.pickup = pickupChoice();
    }
    if (update) {
      body.update = update;
    }
    return body;
  }

  async function submitAct(update) {
    if (!state.student) {
      return;
    }
    const submit = $("#act-submit");
    submit.disabled = true;
    const result = await call("record", { method: "POST", body: actBody(update) });
    submit.disabled = false;
    if (result.ok) {
      const event = result.event;
      const verb = result.updated ? "Updated" : "Recorded";
      startOver({ text: `${verb}: ${event.kind_label} of ${event.name}, ${event.date} ${event.time} — ${event.reason} (${event.reference}).`, tone: "ok" });
      refreshToday();
      return;
    }
    if (result.earlier) {
      state.earlier = result.earlier;
      const box = $("#earlier");
      $("p", box).textContent = result.message;
      box.hidden = false;
      $("#update-earlier").focus();
      return;
    }
    showErrors(actForm, result.errors || { __all__: [refusalOf(result)] });
  }

  // --- bulk check-in --------------------------------------------------------------------------------

  function addToBulk(result) {
    if (!result.student || !result.ok) {
      say(refusalOf(result), "error");
      return;
    }
    const student = result.student;
    if (state.bulk.some((added) => added.id === student.id)) {
      say(`${student.name} is already on the list.`);
    } else {
      state.bulk.push({ id: student.id, name: student.name, visible_id: student.visible_id });
      say(`Added ${student.name}.`, "ok");
    }
    renderBulk();
    findInput.focus();
  }

  function renderBulk() {
    const list = $("#bulk-list");
    list.replaceChildren(
      ...state.bulk.map((student) => {
        const item = document.createElement("li");
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button small quiet";
        remove.dataset.remove = student.id;
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", `Remove ${student.name}`);
        item.append(`${student.name} · ${student.visible_id} `, remove);
        return item;
      }),
    );
    const count = state.bulk.length;
    $("#bulk-count").textContent = `(${count} student${count === 1 ? "" : "s"})`;
  }

  async function submitBulk() {
    const chosen = $("input[name=reason]:checked", bulkForm);
    const body = {
      key: state.bulkKey,
      students: state.bulk.map((student) => student.id),
      reason: chosen ? Number(chosen.value) : null,
      note: $("#bulk-note").value,
    };
    const result = await call("bulk", { method: "POST", body });
    if (!result.ok) {
      showErrors(bulkForm, result.errors || { __all__: [refusalOf(result)] });
      return;
    }
    const names = result.events.map((event) => event.name).join(", ");
    state.bulk = [];
    state.bulkKey = newKey();
    bulkForm.reset();
    showErrors(bulkForm);
    renderBulk();
    say(`Checked in ${result.events.length}: ${names}.`, "ok");
    refreshToday();
    findInput.focus();
  }

  // --- spot sync ------------------------------------------------------------------------------------

  async function spotSync() {
    const button = $("#spot-sync");
    button.disabled = true;
    button.textContent = "Refreshing…";
    say("Asking PowerSchool…");
    const result = await call(`students/${state.student.id}/sync`, { method: "POST", body: {} });
    button.disabled = false;
    button.textContent = "Refresh from PowerSchool";
    if (result.student) {
      showStudent(result.student);
    }
    say(refusalOf(result.ok ? { message: result.message } : result), result.ok ? "ok" : "error");
  }

  // --- today's list ---------------------------------------------------------------------------------

  let pollTimer = null;

  async function refreshToday() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(refreshToday, POLL_MS);
    if (document.hidden || document.querySelector("dialog[open]")) {
      return;
    }
    const params = Object.fromEntries(new FormData(filters));
    const result = await call("today", { params });
    if (result.html === undefined) {
      if (result.signedOut) {
        say(result.message, "error");
      }
      return;
    }
    const focused = document.activeElement && todayBox.contains(document.activeElement) ? focusKey(document.activeElement) : null;
    todayBox.innerHTML = result.html;
    if (focused) {
      const again = $(focused, todayBox);
      if (again) {
        again.focus();
      }
    }
  }

  function focusKey(element) {
    const row = element.closest("tr");
    if (!row || !element.dataset.action) {
      return null;
    }
    const id = row.dataset.event ? `[data-event="${row.dataset.event}"]` : `[data-sign-in="${row.dataset.signIn}"]`;
    return `${id} [data-action="${element.dataset.action}"]`;
  }

  function openDialog(dialog, row) {
    $(".who-what", dialog).textContent = row.dataset.summary;
    dialog.dataset.target = row.dataset.event || row.dataset.signIn;
    showErrors($("form", dialog));
    dialog.showModal();
  }

  function reasonOptions(select, kind, current, currentLabel) {
    const reasons = [...(data.reasons[kind] || [])];
    if (current && !reasons.some((reason) => String(reason.id) === String(current))) {
      reasons.unshift({ id: current, label: `${currentLabel} (no longer offered)` });
    }
    select.replaceChildren(
      ...reasons.map((reason) => {
        const option = document.createElement("option");
        option.value = reason.id;
        option.textContent = reason.label;
        option.selected = String(reason.id) === String(current);
        return option;
      }),
    );
  }

  function openEdit(row) {
    const dialog = $("#edit-dialog");
    $("#edit-time").value = row.dataset.time;
    reasonOptions($("#edit-reason"), row.dataset.kind, row.dataset.reason, row.dataset.reasonLabel);
    $("#edit-note").value = row.dataset.note;
    $("#edit-why").value = "";
    openDialog(dialog, row);
  }

  function openVoid(row) {
    $("#void-why").value = "";
    openDialog($("#void-dialog"), row);
  }

  const resolving = { student: null };

  function openResolve(row) {
    const dialog = $("#resolve-dialog");
    resolving.student = null;
    $("#resolve-number").value = row.dataset.number;
    $("#resolve-student").textContent = "Find the student this sign-in was for.";
    const match = (data.reasons[row.dataset.kind] || []).find((reason) => reason.label === row.dataset.reasonLabel);
    reasonOptions($("#resolve-reason"), row.dataset.kind, match ? match.id : null);
    $("#resolve-note").value = row.dataset.note;
    openDialog(dialog, row);
  }

  async function resolveFind() {
    const result = await call("student", { params: { id: $("#resolve-number").value.trim() } });
    resolving.student = result.ok ? result.student.id : null;
    $("#resolve-student").textContent = result.ok
      ? `${result.student.name} · grade ${result.student.grade} · ${result.student.school}`
      : refusalOf(result);
  }

  async function dismiss(row) {
    if (!window.confirm(`Dismiss the ${row.dataset.summary}? It will not be recorded.`)) {
      return;
    }
    const result = await call(`unrecorded/${row.dataset.signIn}/dismiss`, { method: "POST", body: {} });
    say(result.ok ? "Dismissed." : refusalOf(result), result.ok ? "ok" : "error");
    refreshToday();
  }

  async function submitDialog(dialog, path, body, done) {
    const result = await call(path, { method: "POST", body });
    if (!result.ok) {
      showErrors($("form", dialog), result.errors || { __all__: [refusalOf(result)] });
      return;
    }
    dialog.close();
    say(done(result), "ok");
    refreshToday();
  }

  // --- scanning anywhere ----------------------------------------------------------------------------

  const scan = { digits: "", lastKeyAt: 0 };

  function editable(element) {
    return element.matches("input:not([type=radio]):not([type=checkbox]):not([type=button]):not([type=submit]), textarea, select");
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || document.querySelector("dialog[open]")) {
      return;
    }
    if (event.altKey) {
      const mode = { 1: "now", 2: "delayed", 3: "bulk" }[event.key];
      if (mode) {
        event.preventDefault();
        setMode(mode);
      }
      return;
    }
    const now = performance.now();
    const fast = now - scan.lastKeyAt < SCAN_GAP_MS;
    scan.lastKeyAt = now;
    const target = event.target;
    if (/^\d$/.test(event.key)) {
      scan.digits = fast ? scan.digits + event.key : event.key;
      if (!editable(target)) {
        // A number typed or scanned while a button or a choice has the focus belongs in the find box.
        event.preventDefault();
        findInput.value = (fast ? findInput.value : "") + event.key;
        findInput.focus();
      }
      return;
    }
    if (event.key === "Enter" && fast && scan.digits.length >= SCAN_MIN_DIGITS && editable(target) && target !== findInput) {
      // A card read into another field: take the number back out of it and look the student up.
      event.preventDefault();
      if (target.value.endsWith(scan.digits)) {
        target.value = target.value.slice(0, -scan.digits.length);
      }
      find(scan.digits);
      scan.digits = "";
      return;
    }
    if (event.key === "Enter" && target.matches("input[type=radio]") && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.key === "Escape" && !todayBox.closest(".day").contains(target)) {
      startOver();
    }
    scan.digits = "";
  }

  function onResultsKey(event) {
    const buttons = $$(".result", results);
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = buttons[Math.max(0, Math.min(buttons.length - 1, index + step))];
      if (next) {
        next.focus();
      }
    }
  }

  // --- wiring ---------------------------------------------------------------------------------------

  document.addEventListener("keydown", onKey);
  findForm.addEventListener("submit", (event) => {
    event.preventDefault();
    find(findInput.value);
  });
  findInput.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && !results.hidden) {
      event.preventDefault();
      const first = $(".result", results);
      if (first) {
        first.focus();
      }
    }
  });
  results.addEventListener("keydown", onResultsKey);
  results.addEventListener("click", (event) => {
    const button = event.target.closest(".result");
    if (button) {
      pick(button.dataset.student);
    }
  });
  $$(".mode").forEach((button) => button.addEventListener("click", () => setMode(button.dataset.mode)));
  $$("input[name=kind]", actForm).forEach((input) => input.addEventListener("change", prepareAct));
  actForm.addEventListener("change", (event) => {
    if (event.target.name === "pickup") {
      showOverride();
    }
  });
  $("#pickup-name").addEventListener("input", () => {
    $("input[name=pickup][value=other]", actForm).checked = true;
    showOverride();
  });
  actForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submitAct();
  });
  $("#update-earlier").addEventListener("click", () => submitAct(state.earlier.id));
  $("#keep-earlier").addEventListener("click", () => startOver({ text: "Nothing was recorded.", tone: "info" }));
  $("#spot-sync").addEventListener("click", spotSync);
  bulkForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submitBulk();
  });
  $("#bulk-list").addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove]");
    if (remove) {
      state.bulk = state.bulk.filter((student) => String(student.id) !== remove.dataset.remove);
      renderBulk();
      findInput.focus();
    }
  });

  let filterTimer = null;
  filters.addEventListener("input", () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(refreshToday, 200);
  });
  filters.addEventListener("submit", (event) => event.preventDefault());
  todayBox.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) {
      return;
    }
    const row = button.closest("tr");
    const actions = { edit: openEdit, void: openVoid, resolve: openResolve, dismiss };
    actions[button.dataset.action](row);
  });
  $$("dialog [data-close]").forEach((button) => button.addEventListener("click", () => button.closest("dialog").close()));
  $$("dialog").forEach((dialog) => dialog.addEventListener("close", () => refreshToday()));

  $("#edit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const dialog = $("#edit-dialog");
    const body = {
      time: $("#edit-time").value,
      reason: Number($("#edit-reason").value),
      note: $("#edit-note").value,
      why: $("#edit-why").value,
    };
    submitDialog(dialog, `events/${dialog.dataset.target}/edit`, body, (result) => `Changed ${result.event.reference}.`);
  });
  $("#void-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const dialog = $("#void-dialog");
    const body = { why: $("#void-why").value };
    submitDialog(dialog, `events/${dialog.dataset.target}/void`, body, (result) => `Voided ${result.event.reference}.`);
  });
  $("#resolve-find").addEventListener("click", resolveFind);
  $("#resolve-number").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      resolveFind();
    }
  });
  $("#resolve-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const dialog = $("#resolve-dialog");
    const body = { student: resolving.student, reason: Number($("#resolve-reason").value), note: $("#resolve-note").value };
    submitDialog(dialog, `unrecorded/${dialog.dataset.target}/resolve`, body, (result) => `Recorded ${result.event.reference}.`);
  });

  setMode("now");
  refreshToday();
})();
