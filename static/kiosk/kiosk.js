/* The kiosk page: scan or type a number (or search a name), choose, confirm, print a pass.
 *
 * Card readers type the number and press Enter wherever the focus is, so keystrokes are watched on the whole
 * page. Each attempt carries a random key, so a double tap or a resent request records one sign-in. When the
 * server cannot be reached, a sign-in is kept in localStorage with its key and the moment it happened and is
 * sent when the server answers again; the roster that lets the kiosk recognise a number meanwhile stays in
 * memory only (student names never rest on the tablet).
 */
(function () {
  "use strict";

  const root = document.getElementById("kiosk");
  const config = {
    csrfToken: root.dataset.csrfToken,
    urls: {
      student: root.dataset.studentUrl,
      search: root.dataset.searchUrl,
      signIn: root.dataset.signInUrl,
      roster: root.dataset.rosterUrl,
    },
    building: root.dataset.building,
    timeZone: root.dataset.timeZone,
    tardyCutoff: root.dataset.tardyCutoff || null,
    dayEnd: root.dataset.dayEnd || null,
    doneSeconds: Number(root.dataset.doneSeconds) || 8,
  };
  const QUEUE_KEY = "raptorlink.kiosk.queue";
  const REQUEST_TIMEOUT_MS = 8000;
  const RETRY_FIRST_MS = 2000;
  const RETRY_MAX_MS = 60000;
  const ROSTER_RETRY_MS = 30000;
  const SEARCH_DELAY_MS = 250;
  // Card readers type a character every few milliseconds; people need well over 50.
  const SCAN_GAP_MS = 50;
  const SCAN_MIN_LENGTH = 4;
  const KIND_LABELS = { late_check_in: "Late check-in", early_check_out: "Early check-out" };
  const KIND_QUESTIONS = {
    late_check_in: "Why are you late?",
    early_check_out: "Why are you leaving early?",
  };
  const PASS_TITLES = { late_check_in: "Tardy pass", early_check_out: "Early check-out pass" };
  const DONE_TITLES = { late_check_in: "You're signed in", early_check_out: "You're checked out" };

  const $ = (id) => document.getElementById(id);
  const screens = Array.from(document.querySelectorAll(".screen"));
  const numberInput = $("number");
  const searchInput = $("search");
  const noteInput = $("note");

  class Unreachable extends Error {}

  let attempt = null;
  let roster = null;
  let doneTimer = null;
  let searchTimer = null;
  let retryTimer = null;
  let retryDelay = RETRY_FIRST_MS;
  let flushing = false;
  let flushAgain = false;

  // --- screens ----------------------------------------------------------------------------------------

  function show(name, focus) {
    screens.forEach((screen) => {
      screen.hidden = screen.id !== `screen-${name}`;
    });
    const target = focus || $(`screen-${name}`).querySelector("h2");
    target.focus();
  }

  function setText(id, text) {
    $(id).textContent = text;
  }

  function showMessage(id, text) {
    $(id).textContent = text || "";
    $(id).hidden = !text;
  }

  function startOver(message) {
    attempt = null;
    clearInterval(doneTimer);
    numberInput.value = "";
    searchInput.value = "";
    noteInput.value = "";
    $("search-results").replaceChildren();
    $("search-empty").hidden = true;
    showMessage("start-message", message);
    showMessage("confirm-message", "");
    show("start", numberInput);
  }

  function choiceButton(label, detail, onChoose) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kiosk-choice";
    button.textContent = label;
    if (detail) {
      const small = document.createElement("small");
      small.textContent = detail;
      button.append(small);
    }
    button.addEventListener("click", onChoose);
    return button;
  }

  function studentDetail(student) {
    const hasGrade = student.grade !== null && student.grade !== undefined;
    return [hasGrade ? `Grade ${student.grade}` : "", student.school || ""].filter(Boolean).join(" · ");
  }

  function studentLine(student) {
    return [student.name, studentDetail(student)].filter(Boolean).join(" · ");
  }

  // --- talking to the server ----------------------------------------------------------------------------

  async function call(url, options) {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
        ...options,
        headers: { Accept: "application/json", ...(options && options.headers) },
      });
    } catch (error) {
      throw new Unreachable(String(error));
    } finally {
      clearTimeout(timeout);
    }
    if (response.status >= 500) throw new Unreachable(`HTTP ${response.status}`);
    let body;
    try {
      body = await response.json();
    } catch (error) {
      // A page instead of JSON: an expired CSRF token or a proxy's error page. A reload fetches a fresh page;
      // kept sign-ins survive it in localStorage.
      window.location.reload();
      throw new Unreachable("not JSON");
    }
    if (response.status === 403 && body.error === "not_a_kiosk") {
      window.location.reload();
      throw new Unreachable(body.message);
    }
    setOnline(true);
    return { status: response.status, body };
  }

  function postJson(url, payload) {
    return call(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrfToken },
      body: JSON.stringify(payload),
    });
  }

  function setOnline(online) {
    const wasOffline = !$("connection").hidden;
    $("connection").hidden = online;
    if (online && wasOffline) flushQueue();
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  // --- finding the student ------------------------------------------------------------------------------

  async function findByNumber(typed) {
    typed = (typed || "").trim();
    if (!typed) return;
    await find(`${config.urls.student}?id=${encodeURIComponent(typed)}`, () => offlineByNumber(typed));
  }

  async function findByPk(pk) {
    await find(`${config.urls.student}?pk=${encodeURIComponent(pk)}`, () => offlineByPk(pk));
  }

  async function find(url, offline) {
    let answer;
    try {
      answer = (await call(url)).body;
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      setOnline(false);
      answer = offline();
    }
    if (!answer.ok) {
      startOver(answer.message);
      return;
    }
    begin(answer);
  }

  function offlineByNumber(typed) {
    if (!roster) return { ok: false, message: "The kiosk cannot reach the server. Please see the front desk." };
    const known = roster.byNumber.get(typed);
    // A number the last roster did not know may belong to a student enrolled since: keep it for the server.
    const student = known || { id: null, name: `Student number ${typed}`, visible_id: typed };
    return offlineAnswer(student);
  }

  function offlineByPk(pk) {
    const student = roster && roster.students.find((candidate) => String(candidate.id) === String(pk));
    if (!student) return { ok: false, message: "The kiosk cannot reach the server. Please see the front desk." };
    return offlineAnswer(student);
  }

  function offlineAnswer(student) {
    // A student the roster says may not self-serve is sent to a person, as the server would.
    if (student.self_serve === false) return { ok: false, message: "Please sign in at the front desk." };
    const offers = [];
    if (lateCheckInOpen()) offers.push("late_check_in");
    if (roster.selfServeCheckOut) offers.push("early_check_out");
    const notice = lateCheckInOpen() ? "" : cutoffNotice();
    if (!offers.length) return { ok: false, message: notice };
    return { ok: true, student, today: null, offers, reasons: roster.reasons, notice, offline: true };
  }

  function lateCheckInOpen() {
    const now = localTime(new Date());
    return (!config.tardyCutoff || now >= config.tardyCutoff) && !dayIsOver(now);
  }

  function dayIsOver(now) {
    return Boolean(config.dayEnd) && now >= config.dayEnd;
  }

  function cutoffNotice() {
    if (dayIsOver(localTime(new Date()))) {
      return `The school day is over (it ended at ${config.dayEnd}): no late check-in now. Please see the front desk.`;
    }
    return `Late check-in starts at ${config.tardyCutoff}. Until then you are not late: go straight to class.`;
  }

  function localTime(date) {
    return new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: config.timeZone,
    }).format(date);
  }

  function searchSoon() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, SEARCH_DELAY_MS);
  }

  async function search() {
    clearTimeout(searchTimer);
    const text = searchInput.value.trim();
    if (text.replace(/\s/g, "").length < 2) {
      $("search-results").replaceChildren();
      $("search-empty").hidden = true;
      return;
    }
    let students;
    try {
      students = (await call(`${config.urls.search}?q=${encodeURIComponent(text)}`)).body.students;
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      setOnline(false);
      students = offlineSearch(text);
    }
    if (searchInput.value.trim() !== text) return;
    const items = students.map((student) => {
      const item = document.createElement("li");
      item.append(choiceButton(student.name, studentDetail(student), () => findByPk(student.id)));
      return item;
    });
    $("search-results").replaceChildren(...items);
    $("search-empty").hidden = items.length > 0;
  }

  function plain(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function offlineSearch(text) {
    if (!roster) return [];
    const words = plain(text).split(/\s+/).filter(Boolean);
    return roster.students.filter((student) => words.every((word) => plain(student.name).includes(word))).slice(0, 12);
  }

  // --- choosing -------------------------------------------------------------------------------------------

  function begin(answer) {
    const offline = Boolean(answer.offline);
    const notices = [answer.notice, offline ? "The kiosk is offline: this sign-in will be sent later." : ""];
    attempt = {
      key: newKey(),
      student: answer.student,
      today: answer.today,
      offers: answer.offers,
      reasons: answer.reasons,
      notice: notices.filter(Boolean).join(" "),
      offline,
      kind: null,
      reason: null,
    };
    document.querySelectorAll("[data-student-line]").forEach((line) => {
      line.textContent = studentLine(answer.student);
    });
    document.querySelector("[data-student-name]").textContent = answer.student.name;
    // One thing to do: skip the question, so a sign-in stays a scan and two taps.
    if (attempt.offers.length === 1) {
      chooseKind(attempt.offers[0]);
    } else {
      showKinds();
    }
  }

  function showKinds() {
    showMessage("kind-notice", attempt.notice);
    showMessage("kind-today", attempt.today ? earlierText(attempt.today) : "");
    const buttons = attempt.offers.map((kind) => choiceButton(kindButtonLabel(kind), "", () => chooseKind(kind)));
    $("kind-choices").replaceChildren(...buttons);
    show("kind", buttons[0]);
  }

  function earlierText(today) {
    const what = KIND_LABELS[today.kind].toLowerCase();
    return `You already have a ${what} today at ${today.time} (${today.reason}). Signing in again updates it.`;
  }

  function updating(kind) {
    return attempt.today && attempt.today.kind === kind ? attempt.today.event : null;
  }

  function kindButtonLabel(kind) {
    return updating(kind) ? `${KIND_LABELS[kind]}: update my ${attempt.today.time} sign-in` : KIND_LABELS[kind];
  }

  function chooseKind(kind) {
    attempt.kind = kind;
    const reasons = attempt.reasons[kind] || [];
    setText("reason-title", `${KIND_LABELS[kind]} — ${KIND_QUESTIONS[kind]}`);
    const notes = [attempt.offers.length === 1 ? attempt.notice : "", updating(kind) ? earlierText(attempt.today) : ""];
    showMessage("reason-today", notes.filter(Boolean).join(" "));
    const buttons = reasons.map((reason) => choiceButton(reason.label, "", () => chooseReason(reason)));
    $("reason-choices").replaceChildren(...buttons);
    $("reason-empty").hidden = buttons.length > 0;
    show("reason", buttons[0]);
  }

  function chooseReason(reason) {
    attempt.reason = reason;
    const kind = KIND_LABELS[attempt.kind];
    setText("confirm-kind", updating(attempt.kind) ? `${kind} (updates ${attempt.today.time})` : kind);
    setText("confirm-reason", reason.label);
    showMessage("confirm-message", "");
    $("confirm").disabled = false;
    show("confirm", $("confirm"));
  }

  function back() {
    if (!attempt) {
      startOver();
    } else if (!$("screen-confirm").hidden) {
      chooseKind(attempt.kind);
    } else if (!$("screen-reason").hidden && attempt.offers.length > 1) {
      showKinds();
    } else {
      startOver();
    }
  }

  // --- signing in -----------------------------------------------------------------------------------------

  async function confirm() {
    if (!attempt || $("confirm").disabled) return;
    $("confirm").disabled = true;
    const signIn = {
      key: attempt.key,
      kind: attempt.kind,
      reason: attempt.reason.id,
      note: noteInput.value.trim(),
    };
    if (attempt.student.id) signIn.student = attempt.student.id;
    else signIn.student_id_typed = attempt.student.visible_id;
    if (updating(attempt.kind)) signIn.update = updating(attempt.kind);
    const happenedAt = new Date();
    if (attempt.offline) {
      keep(signIn, happenedAt);
      return;
    }
    let answer;
    try {
      answer = await postJson(config.urls.signIn, signIn);
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      setOnline(false);
      keep(signIn, happenedAt);
      return;
    }
    if (answer.body.ok) {
      done(answer.body.event, false);
    } else {
      const messages = Object.values(answer.body.errors || {}).flat();
      showMessage("confirm-message", messages.join(" ") || "This sign-in was not accepted. Please see the front desk.");
      $("confirm").disabled = false;
    }
  }

  function keep(signIn, happenedAt) {
    const queued = {
      ...signIn,
      student_id_typed: attempt.student.visible_id,
      reason_label: attempt.reason.label,
      occurred_at: happenedAt.toISOString(),
    };
    saveQueue([...loadQueue().filter((item) => item.key !== queued.key), queued]);
    done(
      {
        name: attempt.student.name,
        kind: attempt.kind,
        kind_label: KIND_LABELS[attempt.kind],
        reason: attempt.reason.label,
        time: localTime(happenedAt),
        reference: `Kept on this kiosk (${queued.key.slice(0, 8)})`,
      },
      true,
    );
    scheduleFlush(RETRY_FIRST_MS);
  }

  function done(event, saved) {
    setText("done-title", saved ? `Thank you, ${event.name}` : `${DONE_TITLES[event.kind]}, ${event.name}`);
    $("done-saved").hidden = !saved;
    setText("pass-title", PASS_TITLES[event.kind]);
    setText("pass-student", event.name);
    setText("pass-time", event.time);
    setText("pass-reason", event.reason);
    setText("pass-reference", event.reference);
    attempt = null;
    show("done");
    countDown(config.doneSeconds);
  }

  function countDown(seconds) {
    clearInterval(doneTimer);
    let left = seconds;
    setText("countdown", `(${left})`);
    doneTimer = setInterval(() => {
      left -= 1;
      setText("countdown", `(${left})`);
      if (left <= 0) startOver();
    }, 1000);
  }

  function printPass() {
    clearInterval(doneTimer);
    window.print();
    countDown(config.doneSeconds);
  }

  // --- the queue of sign-ins kept while offline ------------------------------------------------------------

  function loadQueue() {
    try {
      const queue = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (error) {
      return [];
    }
  }

  function saveQueue(queue) {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
    showQueue(queue);
  }

  function showQueue(queue) {
    const count = queue.length;
    $("queue-status").hidden = count === 0;
    const what = count === 1 ? "1 sign-in" : `${count} sign-ins`;
    $("queue-status").textContent = `${what} kept on this kiosk, waiting to be sent.`;
  }

  function forget(key) {
    saveQueue(loadQueue().filter((item) => item.key !== key));
  }

  function scheduleFlush(delay) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flushQueue, delay);
  }

  async function flushQueue() {
    if (flushing) {
      // The network came back while a send was failing: try again as soon as it ends, not after the backoff.
      flushAgain = true;
      return;
    }
    flushing = true;
    flushAgain = false;
    clearTimeout(retryTimer);
    try {
      for (const item of loadQueue()) {
        const { body } = await postJson(config.urls.signIn, item);
        // Recorded, or refused and passed to the front desk: either way the server has it now.
        if (body.ok || body.kept) forget(item.key);
      }
      retryDelay = RETRY_FIRST_MS;
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      setOnline(false);
      scheduleFlush(retryDelay);
      retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
    } finally {
      flushing = false;
      if (flushAgain) scheduleFlush(0);
    }
  }

  // --- the roster for offline recognition -----------------------------------------------------------------

  async function loadRoster() {
    let next = ROSTER_RETRY_MS;
    try {
      const { body } = await call(config.urls.roster);
      const students = body.students.map(([id, visibleId, name, selfServe]) => ({
        id,
        visible_id: visibleId,
        name,
        self_serve: selfServe,
      }));
      roster = {
        students,
        byNumber: new Map(students.map((student) => [student.visible_id, student])),
        reasons: body.reasons,
        selfServeCheckOut: body.self_serve_check_out,
      };
      config.tardyCutoff = body.tardy_cutoff;
      config.dayEnd = body.day_end;
      next = body.refresh_seconds * 1000;
      showMaintenance(body.maintenance || []);
      // Says when this kiosk could recognise students without the server (read by support staff and tests).
      document.body.dataset.roster = "loaded";
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      setOnline(false);
    }
    setTimeout(loadRoster, next);
  }

  // Maintenance notices come with the roster, so a kiosk open since the morning shows them.
  function showMaintenance(banners) {
    $("maintenance").replaceChildren(
      ...banners.map((banner) => {
        const line = document.createElement("p");
        const heading = document.createElement("strong");
        line.className = "kiosk-banner kiosk-offline";
        line.dataset.state = banner.state;
        heading.textContent = banner.heading;
        line.append(heading, ` · ${banner.when}`, document.createElement("br"), banner.message);
        return line;
      }),
    );
  }

  // --- keys from people and card readers ------------------------------------------------------------------

  const burst = { text: "", at: 0 };

  function isTextField(element) {
    return element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement;
  }

  function onKeydown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target === numberInput) return;
    if (isTextField(event.target)) {
      watchForScan(event);
      return;
    }
    if (event.key === "Escape") {
      startOver();
    } else if (/^[0-9A-Za-z]$/.test(event.key)) {
      // Typing anywhere goes to the number box, whatever screen is showing: the next student may be scanning.
      event.preventDefault();
      if ($("screen-start").hidden) startOver();
      numberInput.value += event.key;
      numberInput.focus();
    }
  }

  // In the name search or the note, a fast burst of characters with a digit, then Enter, is a card reader.
  function watchForScan(event) {
    const field = event.target;
    const now = performance.now();
    if (event.key === "Enter") {
      const scanned = burst.text;
      burst.text = "";
      if (scanned.length >= SCAN_MIN_LENGTH && /\d/.test(scanned) && field.value.endsWith(scanned)) {
        event.preventDefault();
        field.value = field.value.slice(0, -scanned.length);
        findByNumber(scanned);
      } else if (field === searchInput && /^\s*\d{4,}\s*$/.test(field.value)) {
        // A number in the name search (typed, or scanned by a slow reader) is no name: look it up as a number.
        event.preventDefault();
        const typed = field.value;
        field.value = "";
        findByNumber(typed);
      }
      return;
    }
    if (event.key === "Escape" && field === noteInput) {
      startOver();
      return;
    }
    if (event.key.length !== 1) {
      burst.text = "";
      return;
    }
    burst.text = now - burst.at < SCAN_GAP_MS ? burst.text + event.key : event.key;
    burst.at = now;
  }

  // --- the clock ------------------------------------------------------------------------------------------

  function tick() {
    setText("clock", localTime(new Date()));
  }

  // --- wiring ---------------------------------------------------------------------------------------------

  $("number-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = numberInput.value;
    numberInput.value = "";
    findByNumber(typed);
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  searchInput.addEventListener("input", () => {
    showMessage("start-message", "");
    searchSoon();
  });
  numberInput.addEventListener("input", () => showMessage("start-message", ""));
  noteInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.defaultPrevented) confirm();
  });
  $("confirm").addEventListener("click", confirm);
  $("print").addEventListener("click", printPass);
  document.querySelectorAll("[data-action=start]").forEach((button) => {
    button.addEventListener("click", () => startOver());
  });
  document.querySelectorAll("[data-action=back]").forEach((button) => button.addEventListener("click", back));
  document.addEventListener("keydown", onKeydown, true);
  window.addEventListener("online", flushQueue);

  tick();
  setInterval(tick, 15000);
  showQueue(loadQueue());
  loadRoster();
  flushQueue();
  startOver();
})();
