/* winbot web chat: plain ES2020, no dependencies, nothing loaded from elsewhere.
 *
 * Security rule for this file: message text is never assigned to innerHTML. Every piece of text
 * coming from the user or the bot is put into the page with textContent / text nodes only.
 */
(() => {
  "use strict";

  const SENDER_KEY = "winbot.sender";
  const PRIVACY_KEY = "winbot.privacy_accepted";
  const LANGUAGE_KEY = "winbot.language";
  const HISTORY_KEY = "winbot.history";
  const SUPPORTED = ["pl", "ro", "bg", "uk", "en", "nl"];
  // A quick reply with this payload asks the browser for the position instead of sending text.
  const SHARE_LOCATION = "#share_location";
  const DEFAULT_LANGUAGE = "en";
  const REQUEST_TIMEOUT_MS = 45000;
  const HISTORY_LIMIT = 200;
  const LANGUAGE_DEBOUNCE_MS = 450;
  const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  const TITLED_LINK_PATTERN = /\[([^\[\]\n]+)\]\((https?:\/\/[^\s()<>]+)\)/g;

  // English fallbacks, used until (or if never) /api/ui answers.
  const FALLBACK_STRINGS = {
    title: "Work in NL assistant",
    placeholder: "Type your question…",
    send: "Send",
    language_label: "Language",
    privacy_title: "Your privacy",
    privacy_text:
      "This chat is anonymous. We don't ask for your name or phone number. Your messages are saved under " +
      "a random code and used only to answer you. Don't send passport, BSN or bank numbers. " +
      "In an emergency, call 112.",
    privacy_accept: "OK, I understand",
    error_network: "The message could not be sent. Check your connection and try again.",
    rate_limited: "You're sending messages very quickly. Please wait a moment, then send your message again.",
    typing: "The assistant is typing…",
    message_list_label: "Conversation",
  };

  const $ = (id) => document.getElementById(id);
  const el = {
    title: $("app-title"),
    select: $("language-select"),
    privacy: $("privacy-panel"),
    privacyAccept: $("privacy-accept"),
    scroller: $("scroller"),
    list: $("message-list"),
    typing: $("typing"),
    error: $("error-line"),
    form: $("composer"),
    input: $("message-input"),
    send: $("send-button"),
  };

  const reducedMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  /* ---------- storage that never throws (private mode, blocked cookies) ---------- */

  function makeStore(getStorage) {
    const memory = new Map();
    let storage = null;
    try {
      storage = getStorage();
      const probe = "winbot.probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
    } catch (_err) {
      storage = null;
    }
    return {
      get(key) {
        if (storage) {
          try { return storage.getItem(key); } catch (_err) { /* fall through */ }
        }
        return memory.has(key) ? memory.get(key) : null;
      },
      set(key, value) {
        memory.set(key, value);
        if (storage) {
          try { storage.setItem(key, value); } catch (_err) { /* quota or blocked: memory only */ }
        }
      },
    };
  }

  const local = makeStore(() => window.localStorage);
  const session = makeStore(() => window.sessionStorage);

  /* ---------- state ---------- */

  const state = {
    sender: senderId(),
    language: DEFAULT_LANGUAGE,
    strings: { ...FALLBACK_STRINGS },
    languages: null,
    history: [], // [{from: "bot"|"user", text, buttons?}]
    pending: 0,
    stringsLanguage: null, // the language of state.strings once /api/ui answered
    errorKey: null, // the UI string shown in the error line
  };
  const uiCache = new Map();
  let queue = Promise.resolve();
  let uiRequestSerial = 0;
  let uiLoadingLanguage = null;
  let languageTimer = null;

  function senderId() {
    const existing = local.get(SENDER_KEY);
    if (existing && /^[0-9a-f]{32}$/.test(existing)) return existing;
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    local.set(SENDER_KEY, id);
    return id;
  }

  function normaliseLanguage(code) {
    if (!code || typeof code !== "string") return null;
    const base = code.replace("_", "-").split("-")[0].toLowerCase();
    return SUPPORTED.includes(base) ? base : null;
  }

  function browserLanguage() {
    const candidates = Array.isArray(navigator.languages) ? navigator.languages : [];
    for (const code of [...candidates, navigator.language]) {
      const lang = normaliseLanguage(code);
      if (lang) return lang;
    }
    return DEFAULT_LANGUAGE;
  }

  function loadHistory() {
    const raw = session.get(HISTORY_KEY);
    if (!raw) return null;
    try {
      const data = JSON.parse(raw);
      if (!data || !Array.isArray(data.messages)) return null;
      const messages = data.messages.filter(
        (m) => m && (m.from === "bot" || m.from === "user") && typeof m.text === "string",
      );
      return { language: normaliseLanguage(data.language), messages };
    } catch (_err) {
      return null;
    }
  }

  function saveHistory() {
    if (state.history.length > HISTORY_LIMIT) {
      state.history = state.history.slice(-HISTORY_LIMIT);
    }
    session.set(HISTORY_KEY, JSON.stringify({ language: state.language, messages: state.history }));
  }

  /* ---------- UI strings ---------- */

  function str(key) {
    const value = state.strings[key];
    return typeof value === "string" && value ? value : FALLBACK_STRINGS[key] || "";
  }

  function applyStrings() {
    document.documentElement.lang = state.language;
    document.title = str("title");
    for (const node of document.querySelectorAll("[data-i18n]")) {
      node.textContent = str(node.dataset.i18n);
    }
    for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
      node.setAttribute("aria-label", str(node.dataset.i18nAriaLabel));
    }
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.setAttribute("placeholder", str(node.dataset.i18nPlaceholder));
    }
    for (const node of document.querySelectorAll("[data-i18n-title]")) {
      node.setAttribute("title", str(node.dataset.i18nTitle));
    }
    // An error line that is showing is re-worded in the new language.
    if (el.error.textContent && state.errorKey) el.error.textContent = str(state.errorKey);
    renderLanguageOptions();
  }

  function renderLanguageOptions() {
    const languages = state.languages;
    if (Array.isArray(languages) && languages.length) {
      const current = Array.from(el.select.options, (o) => o.value + "\u0000" + o.textContent).join("|");
      const wanted = languages.map((l) => l.code + "\u0000" + l.name).join("|");
      if (current !== wanted) {
        el.select.replaceChildren(
          ...languages.map((l) => {
            const option = document.createElement("option");
            option.value = l.code;
            option.textContent = l.name;
            option.lang = l.code;
            return option;
          }),
        );
      }
    }
    el.select.value = state.language;
  }

  async function loadUi(language) {
    const serial = ++uiRequestSerial;
    uiLoadingLanguage = language;
    let data = uiCache.get(language);
    if (!data) {
      try {
        const response = await fetchWithTimeout(`/api/ui?lang=${encodeURIComponent(language)}`, {
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        data = await response.json();
        if (!data || typeof data !== "object") throw new Error("bad /api/ui answer");
        uiCache.set(language, data);
      } catch (err) {
        console.warn("winbot: UI strings could not be loaded", err);
        data = null;
      }
    }
    if (serial !== uiRequestSerial) return; // a newer language was asked for meanwhile
    uiLoadingLanguage = null;
    if (data) {
      const lang = normaliseLanguage(data.language) || language;
      state.language = lang;
      state.strings = { ...FALLBACK_STRINGS, ...(data.strings || {}) };
      state.stringsLanguage = lang;
      if (Array.isArray(data.languages)) {
        state.languages = data.languages.filter((l) => l && typeof l.code === "string" && typeof l.name === "string");
      }
    } else {
      state.language = language;
    }
    applyStrings();
  }

  function setLanguage(language) {
    const lang = normaliseLanguage(language);
    if (!lang) return;
    local.set(LANGUAGE_KEY, lang);
    if (lang === state.language && (uiCache.has(lang) || uiLoadingLanguage === lang)) {
      el.select.value = lang;
      return;
    }
    state.language = lang;
    document.documentElement.lang = lang;
    el.select.value = lang;
    saveHistory();
    loadUi(lang);
  }

  /* ---------- rendering ---------- */

  function trimUrl(url) {
    // Leave sentence punctuation (and an unbalanced closing bracket) outside the link.
    let end = url.length;
    while (end > 0) {
      const ch = url[end - 1];
      if (".,;:!?'\"»”’".includes(ch)) {
        end -= 1;
      } else if (ch === ")" || ch === "]") {
        const open = ch === ")" ? "(" : "[";
        const part = url.slice(0, end);
        if (part.split(open).length < part.split(ch).length) end -= 1;
        else break;
      } else {
        break;
      }
    }
    return url.slice(0, end);
  }

  function safeHref(candidate) {
    try {
      const url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_err) {
      return null;
    }
  }

  /** A link element opening `href` in a new tab, showing `text`. */
  function makeLink(href, text) {
    const link = document.createElement("a");
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = text;
    return link;
  }

  /**
   * Append one line of text to `parent`, turning http(s) URLs into links. A source written as
   * `[title](url)` shows its short title as the link text.
   */
  function appendLinkified(parent, line) {
    let last = 0;
    TITLED_LINK_PATTERN.lastIndex = 0;
    let titled;
    const pieces = [];
    while ((titled = TITLED_LINK_PATTERN.exec(line)) !== null) {
      pieces.push({ text: line.slice(last, titled.index) });
      const href = safeHref(titled[2]);
      pieces.push(href ? { href, title: titled[1] } : { text: titled[0] });
      last = titled.index + titled[0].length;
    }
    pieces.push({ text: line.slice(last) });
    for (const piece of pieces) {
      if (piece.href) parent.appendChild(makeLink(piece.href, piece.title));
      else appendUrls(parent, piece.text);
    }
  }

  /** Append plain text to `parent`, turning bare http(s) URLs into links. */
  function appendUrls(parent, line) {
    let last = 0;
    URL_PATTERN.lastIndex = 0;
    let match;
    while ((match = URL_PATTERN.exec(line)) !== null) {
      const raw = trimUrl(match[0]);
      const href = safeHref(raw);
      if (!raw || !href) continue;
      const start = match.index;
      if (start > last) parent.appendChild(document.createTextNode(line.slice(last, start)));
      parent.appendChild(makeLink(href, raw));
      last = start + raw.length;
      URL_PATTERN.lastIndex = last;
    }
    if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
  }

  function fillText(bubble, text, linkify) {
    const lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    lines.forEach((line, index) => {
      if (index > 0) bubble.appendChild(document.createElement("br"));
      if (linkify) appendLinkified(bubble, line);
      else if (line) bubble.appendChild(document.createTextNode(line));
    });
  }

  function validButtons(buttons) {
    if (!Array.isArray(buttons)) return [];
    return buttons
      .filter((b) => b && (typeof b.title === "string" || typeof b.payload === "string"))
      .map((b) => ({
        title: String(b.title || b.payload || ""),
        payload: String(typeof b.payload === "string" && b.payload ? b.payload : b.title),
      }))
      .filter((b) => b.title && b.payload);
  }

  function renderMessage(message) {
    const row = document.createElement("div");
    row.className = `message-row from-${message.from}`;
    const text = typeof message.text === "string" ? message.text : "";
    if (text.trim()) {
      const bubble = document.createElement("div");
      bubble.className = `bubble bubble-${message.from}`;
      bubble.dataset.testid = message.from === "bot" ? "bot-message" : "user-message";
      bubble.setAttribute("dir", "auto");
      fillText(bubble, text, message.from === "bot");
      row.appendChild(bubble);
    }
    const buttons = message.from === "bot" ? validButtons(message.buttons) : [];
    if (buttons.length) {
      const group = document.createElement("div");
      group.className = "quick-replies";
      group.setAttribute("role", "group");
      for (const b of buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "quick-reply";
        button.dataset.testid = "quick-reply";
        button.textContent = b.title;
        button.addEventListener("click", (event) => onQuickReply(event, b));
        group.appendChild(button);
      }
      row.appendChild(group);
    }
    if (!row.childNodes.length) return null;
    if (message.from === "user") {
      for (const group of el.list.querySelectorAll(".quick-replies:not(.is-old)")) group.classList.add("is-old");
    }
    el.list.appendChild(row);
    return row;
  }

  function addMessage(message, { store = true } = {}) {
    const entry = { from: message.from, text: String(message.text || "") };
    const buttons = validButtons(message.buttons);
    if (buttons.length) entry.buttons = buttons;
    const row = renderMessage(entry);
    if (row && store) {
      state.history.push(entry);
      saveHistory();
    }
    return row;
  }

  function removeLastUserMessage(row) {
    if (!row) return;
    row.remove();
    for (let i = state.history.length - 1; i >= 0; i -= 1) {
      if (state.history[i].from === "user") {
        state.history.splice(i, 1);
        break;
      }
    }
    saveHistory();
  }

  function scrollBehavior() {
    return reducedMotion && reducedMotion.matches ? "auto" : "smooth";
  }

  /** Scroll to the newest message; a long answer is shown from its start. */
  function scrollToNewest(firstNewRow) {
    const scroller = el.scroller;
    let top = scroller.scrollHeight;
    if (firstNewRow) {
      // .scroller is position: relative, so offsetTop is measured inside it.
      const rowsHeight = scroller.scrollHeight - firstNewRow.offsetTop;
      if (rowsHeight > scroller.clientHeight) top = Math.max(0, firstNewRow.offsetTop - 12);
    }
    if (typeof scroller.scrollTo === "function") scroller.scrollTo({ top, behavior: scrollBehavior() });
    else scroller.scrollTop = top;
  }

  function updateBusy() {
    const busy = state.pending > 0;
    el.typing.hidden = !busy;
    el.list.setAttribute("aria-busy", busy ? "true" : "false");
    if (busy) scrollToNewest(null);
  }

  /** Show a UI string in the error line; `serverText` (already translated) stands in until our strings load. */
  function showError(key = "error_network", serverText = null) {
    const ours = state.stringsLanguage === state.language || !serverText;
    state.errorKey = key;
    el.error.textContent = ours ? str(key) : serverText;
  }

  function clearError() {
    state.errorKey = null;
    el.error.textContent = "";
  }

  /* ---------- talking to the gateway ---------- */

  async function fetchWithTimeout(url, options = {}) {
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timer = controller ? window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS) : null;
    try {
      return await fetch(url, { ...options, signal: controller ? controller.signal : undefined, credentials: "same-origin" });
    } finally {
      if (timer) window.clearTimeout(timer);
    }
  }

  async function postChat(text, languageHint, location) {
    const body = { sender: state.sender, text };
    if (languageHint) body.language_hint = languageHint;
    if (location) body.location = location;
    const response = await fetchWithTimeout("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (_err) {
      data = null;
    }
    if (!response.ok || !data || typeof data !== "object") {
      const reason = data && data.error ? data.error : `HTTP ${response.status}`;
      const err = new Error(`chat request failed: ${reason}`);
      if (response.status === 429) {
        // Too many messages too quickly: the gateway's polite line is in the user's language (or Accept-Language).
        err.rateLimited = true;
        err.serverText = data && typeof data.message === "string" ? data.message : null;
      }
      throw err;
    }
    return data;
  }

  /** Run chat requests one after another, with the typing indicator shown while any is waiting. */
  function enqueue(task) {
    state.pending += 1;
    updateBusy();
    const run = queue.then(task).finally(() => {
      state.pending -= 1;
      updateBusy();
    });
    queue = run.catch(() => undefined);
    return run;
  }

  function showReply(data) {
    if (data.language) setLanguage(data.language);
    const messages = Array.isArray(data.messages) ? data.messages : [];
    let first = null;
    for (const m of messages) {
      if (!m || typeof m !== "object") continue;
      const row = addMessage({ from: "bot", text: typeof m.text === "string" ? m.text : "", buttons: m.buttons });
      if (row && !first) first = row;
    }
    // Let the layout settle (fonts, wrapping) before measuring.
    window.requestAnimationFrame(() => scrollToNewest(first));
  }

  /**
   * Send `text` to the assistant.
   * visible: show it as the user's bubble (with `shownText`, e.g. a button title, instead of text).
   * restoreOnError: put the typed text back into the input if sending fails.
   */
  function send(
    text,
    { visible = true, shownText = null, restoreOnError = false, languageHint = null, location = null } = {},
  ) {
    let row = null;
    if (visible) {
      row = addMessage({ from: "user", text: shownText || text });
      window.requestAnimationFrame(() => scrollToNewest(null));
    }
    return enqueue(async () => {
      try {
        const data = await postChat(text, languageHint, location);
        clearError();
        showReply(data);
        return true;
      } catch (err) {
        console.warn("winbot:", err);
        if (row) removeLastUserMessage(row);
        if (restoreOnError) {
          // Kept in the box, so it can be sent again (after the wait, when there were too many messages).
          const current = el.input.value;
          el.input.value = current.trim() ? `${text}\n${current}` : text;
          autoGrow();
        }
        if (err && err.rateLimited) showError("rate_limited", err.serverText);
        else showError();
        return false;
      }
    });
  }

  /* ---------- inbox: announcements that waited for this page ---------- */

  const INBOX_POLL_MS = 30000;

  /** Fetch messages waiting in the inbox (mobile-team announcements) and show them; each comes only once. */
  async function checkInbox() {
    if (document.hidden) return;
    try {
      const query = `sender=${encodeURIComponent(state.sender)}&lang=${encodeURIComponent(state.language || "")}`;
      const response = await fetchWithTimeout(`/api/chat/inbox?${query}`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (data && Array.isArray(data.messages) && data.messages.length) showReply({ messages: data.messages });
    } catch (err) {
      console.warn("winbot: inbox", err);
    }
  }

  /* ---------- user actions ---------- */

  function onSubmit(event) {
    event.preventDefault();
    const text = el.input.value.trim();
    if (!text) {
      el.input.focus();
      return;
    }
    el.input.value = "";
    autoGrow();
    clearError();
    send(text, { restoreOnError: true });
  }

  function onInputKeydown(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      if (typeof el.form.requestSubmit === "function") el.form.requestSubmit();
      else onSubmit(event);
    }
  }

  function onQuickReply(event, button) {
    const byKeyboard = event.detail === 0; // a click from Enter/Space has no pointer clicks
    clearError();
    if (button.payload === SHARE_LOCATION) shareLocation(button.title);
    else send(button.payload, { shownText: button.title });
    if (byKeyboard) el.input.focus();
  }

  /** The "share my location" button: ask the browser, then send the position (never stored on the page). */
  function shareLocation(title) {
    if (!navigator.geolocation) {
      showError();
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const location = {
          lat: Math.round(position.coords.latitude * 10000) / 10000,
          lon: Math.round(position.coords.longitude * 10000) / 10000,
        };
        send("", { shownText: `📍 ${title}`, location });
      },
      () => showError(),
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 },
    );
  }

  function onLanguageChange() {
    window.clearTimeout(languageTimer);
    // Arrow keys on a closed <select> fire "change" for each step: wait until the choice settles.
    languageTimer = window.setTimeout(() => {
      const wanted = normaliseLanguage(el.select.value);
      if (!wanted || wanted === state.language) return;
      clearError();
      const command = `/change_language${JSON.stringify({ language: wanted })}`;
      send(command, { visible: false }).then((ok) => {
        if (!ok) el.select.value = state.language;
      });
    }, LANGUAGE_DEBOUNCE_MS);
  }

  function onPrivacyAccept(event) {
    local.set(PRIVACY_KEY, "1");
    el.privacy.hidden = true;
    // Keep keyboard users where they can go on: the message box.
    if (event.detail === 0) el.input.focus();
  }

  function autoGrow() {
    const input = el.input;
    input.style.height = "auto";
    const max = Math.max(96, Math.round(window.innerHeight * 0.3));
    input.style.height = `${Math.min(input.scrollHeight + 2, max)}px`;
  }

  /* ---------- the push stream: staff replies and announcements as they come ---------- */

  // While the page is open, a server-sent event stream delivers what reaches the user outside a request; the
  // inbox poll (checkInbox, every 30 s and when the page becomes visible) covers a broken stream or a browser
  // without one. Each message arrives once, by either path.
  function listenForPushes() {
    if (!("EventSource" in window)) return;
    const stream = new EventSource(`/api/chat/events?sender=${encodeURIComponent(state.sender)}`);
    stream.onmessage = (event) => {
      try {
        const data = JSON.parse(event.data);
        if (data && Array.isArray(data.messages) && data.messages.length) showReply({ messages: data.messages });
      } catch (_error) {
        /* not ours */
      }
    };
  }

  /* ---------- start ---------- */

  function init() {
    el.form.addEventListener("submit", onSubmit);
    el.input.addEventListener("keydown", onInputKeydown);
    el.input.addEventListener("input", autoGrow);
    el.select.addEventListener("change", onLanguageChange);
    el.privacyAccept.addEventListener("click", onPrivacyAccept);

    if (local.get(PRIVACY_KEY) !== "1") el.privacy.hidden = false;

    const saved = loadHistory();
    state.language =
      (saved && saved.language) || normaliseLanguage(local.get(LANGUAGE_KEY)) || browserLanguage();
    document.documentElement.lang = state.language;
    el.select.value = state.language;

    loadUi(state.language);

    if (saved && saved.messages.length) {
      for (const m of saved.messages) addMessage(m, { store: false });
      state.history = saved.messages.slice();
      window.requestAnimationFrame(() => scrollToNewest(null));
    } else {
      // Let the assistant greet; its answer tells which language it picked. A QR code at a housing location
      // opens the page with ?start=loc_<code>: the greeting then subscribes to that location's visits.
      const start = new URLSearchParams(window.location.search).get("start");
      const deepLink = start && /^loc_[a-z0-9]{4,16}$/.test(start) ? ` ${start}` : "";
      send(`/start${deepLink}`, { visible: false, languageHint: navigator.language || null });
    }
    // After the greeting, then every 30 s while the page is open (quietly: no typing indicator).
    queue.then(checkInbox);
    window.setInterval(checkInbox, INBOX_POLL_MS);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) checkInbox();
    });
    listenForPushes();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
