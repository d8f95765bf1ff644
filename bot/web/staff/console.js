// The WIN-punt staff console: queue, transcript, reply, claim, hand back, close; reports; monitoring; the
// mobile-team pages are in visits.js. Dutch and English.
// Everything a user typed is put into the page with textContent, never as HTML.
"use strict";

const WORDS = {
  en: {
    title: "WIN-punt staff console", logout: "Log out", queue: "Queue", queue_empty: "Nobody is waiting.",
    claim: "Claim", release: "Hand back to the assistant", outcome: "Outcome", close: "Close",
    o_answered: "answered", o_solved: "solved (reopens if the user writes again)", o_referred: "referred",
    o_no_reply: "no reply", o_other: "other", reopened: "reopened", reopened_n: "Reopened",
    reply: "Reply (in the user's language)", quick: "Quick reply", send: "Send",
    note: "Internal note (never sent)", add_note: "Add note",
    window_closed: "This WhatsApp user wrote more than 24 hours ago: WhatsApp delivers your reply only as the approved template that invites them to write back.",
    waiting: "waiting", active: "active", closed: "closed", urgent: "urgent", mine: "yours",
    returned: "back in queue", national: "national", from_user: "User", from_bot: "Assistant",
    from_staff: "Staff", from_note: "Note", chat: "Chat", waited: "waiting", min: "min",
    nav_chats: "Chats", nav_monitoring: "Monitoring", monitoring: "Covenant monitoring (counts only, never content)",
    csv: "Download as CSV", m_handoffs: "Chats with a person", m_answers: "Answers per topic", month: "Month",
    region: "Region", language: "Language", chats: "Chats", urgent_n: "Urgent", median_wait: "Median wait (min)",
    p90_wait: "90% waited at most (min)", topic: "Topic", count: "Count",
    nav_reports: "Reports", reports: "Reports of abuse", status: "Status", category: "Category", filter: "Filter",
    code: "Code", date: "Date", anonymous: "Anonymous", new_status: "New status", save: "Save", audit: "Audit log",
    m_reports: "Reports per category", yes: "yes", no: "no", place: "Place", employer: "Employer, agency or landlord",
    since: "Since", description: "What happened", answer_in_chat: "Can be answered in the chat",
    s_new: "new", s_in_progress: "in progress", s_referred_labour_authority: "referred to the Labour Authority",
    s_referred_municipality: "referred to the municipality", s_referred_police: "referred to the police", s_closed: "closed",
  },
  nl: {
    title: "WIN-punt medewerkersconsole", logout: "Uitloggen", queue: "Wachtrij", queue_empty: "Er wacht niemand.",
    claim: "Oppakken", release: "Teruggeven aan de assistent", outcome: "Uitkomst", close: "Sluiten",
    o_answered: "beantwoord", o_solved: "opgelost (gaat weer open als de gebruiker opnieuw schrijft)",
    o_referred: "doorverwezen", o_no_reply: "geen reactie", o_other: "anders", reopened: "heropend", reopened_n: "Heropend",
    reply: "Antwoord (in de taal van de gebruiker)", quick: "Snel antwoord", send: "Versturen",
    note: "Interne notitie (wordt niet verstuurd)", add_note: "Notitie toevoegen",
    window_closed: "Deze WhatsApp-gebruiker schreef meer dan 24 uur geleden: WhatsApp bezorgt je antwoord alleen als het goedgekeurde sjabloon dat uitnodigt om terug te schrijven.",
    waiting: "wacht", active: "actief", closed: "gesloten", urgent: "urgent", mine: "van jou",
    returned: "terug in wachtrij", national: "landelijk", from_user: "Gebruiker", from_bot: "Assistent",
    from_staff: "Medewerker", from_note: "Notitie", chat: "Chat", waited: "wacht", min: "min",
    nav_chats: "Chats", nav_monitoring: "Monitoring", monitoring: "Monitoring convenant (alleen aantallen, nooit inhoud)",
    csv: "Download als CSV", m_handoffs: "Chats met een medewerker", m_answers: "Antwoorden per onderwerp", month: "Maand",
    region: "Regio", language: "Taal", chats: "Chats", urgent_n: "Urgent", median_wait: "Mediane wachttijd (min)",
    p90_wait: "90% wachtte hooguit (min)", topic: "Onderwerp", count: "Aantal",
    nav_reports: "Meldingen", reports: "Meldingen van misstanden", status: "Status", category: "Categorie", filter: "Filteren",
    code: "Code", date: "Datum", anonymous: "Anoniem", new_status: "Nieuwe status", save: "Opslaan", audit: "Logboek",
    m_reports: "Meldingen per categorie", yes: "ja", no: "nee", place: "Plaats", employer: "Werkgever, uitzendbureau of verhuurder",
    since: "Sinds", description: "Wat er gebeurde", answer_in_chat: "Kan in de chat beantwoord worden",
    s_new: "nieuw", s_in_progress: "in behandeling", s_referred_labour_authority: "doorverwezen naar de Arbeidsinspectie",
    s_referred_municipality: "doorverwezen naar de gemeente", s_referred_police: "doorverwezen naar de politie", s_closed: "gesloten",
  },
};
const STATUSES = ["new", "in_progress", "referred_labour_authority", "referred_municipality", "referred_police", "closed"];
const CATEGORIES = ["wages", "hours", "unsafe", "housing", "papers", "debts", "violence", "other"];
let selectedReport = null;
// The pages each role may open (the server refuses the rest anyway); the first is where the console opens.
const VIEWS = { staff: ["#chats", "#reports", "#monitoring"], mobile_team: ["#visits"],
  admin: ["#chats", "#reports", "#monitoring", "#visits"] };
let views = [];

let lang = localStorage.getItem("staff-lang") || (navigator.language.startsWith("nl") ? "nl" : "en");
let csrf = "";
let selected = null;
let quickReplies = [];

const $ = (id) => document.getElementById(id);
const t = (key) => (WORDS[lang] && WORDS[lang][key]) || WORDS.en[key] || key;

function translatePage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
  $("lang").textContent = lang === "nl" ? "EN" : "NL";
  document.title = t("title");
}

async function api(path, options = {}) {
  const init = { credentials: "same-origin", headers: { Accept: "application/json" }, ...options };
  if (init.method === "POST") {
    init.headers = { ...init.headers, "X-CSRF-Token": csrf, "Content-Type": "application/json" };
  }
  const response = await fetch(path, init);
  if (response.status === 401) { window.location.href = "/staff/login"; throw new Error("logged out"); }
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function showError(error) { $("error").textContent = error ? String(error.message || error) : ""; }

async function loadQueue() {
  const data = await api("/staff/api/queue");
  const list = $("queue");
  list.replaceChildren();
  $("queue-empty").hidden = data.chats.length > 0;
  for (const chat of data.chats) {
    const item = document.createElement("li");
    if (chat.urgent) item.classList.add("urgent");
    if (chat.claimed_by_me) item.classList.add("mine");
    if (chat.id === selected) item.classList.add("selected");
    const button = document.createElement("button");
    button.type = "button";
    const badges = [];
    if (chat.urgent) badges.push([t("urgent") + (chat.reason ? ": " + chat.reason : ""), "urgent"]);
    badges.push([t(chat.status), ""]);
    if (chat.claimed_by_me) badges.push([t("mine"), ""]);
    if (chat.returned_unanswered) badges.push([t("returned"), ""]);
    if (chat.reopened) badges.push([t("reopened"), "reopened"]);
    for (const [text, kind] of badges) {
      const badge = document.createElement("span");
      badge.className = "badge " + kind;
      badge.textContent = text;
      button.append(badge);
    }
    const label = document.createElement("span");
    const minutes = Math.round(chat.waiting_seconds / 60);
    label.textContent = `#${chat.id} · ${chat.language.toUpperCase()} · ${chat.region || t("national")} · ${chat.channel} · ${t("waited")} ${minutes} ${t("min")}`;
    button.append(label);
    button.addEventListener("click", () => { selected = chat.id; loadChat(); loadQueue().catch(showError); });
    item.append(button);
    list.append(item);
  }
}

async function loadChat() {
  if (selected === null) return;
  const chat = await api(`/staff/api/chats/${selected}`);
  $("chat-panel").hidden = false;
  $("chat-title").textContent = `${t("chat")} #${chat.id}`;
  $("chat-meta").textContent = `${chat.language.toUpperCase()} · ${chat.region || t("national")} · ${chat.channel} · ${t(chat.status)}` +
    (chat.urgent ? ` · ${t("urgent")}${chat.reason ? ": " + chat.reason : ""}` : "") +
    (chat.reopened ? ` · ${t("reopened")}` : "");
  $("window-warning").hidden = chat.whatsapp_window_open !== false;
  $("claim").hidden = chat.claimed_by_me || chat.status === "closed";
  const transcript = $("transcript");
  const atBottom = transcript.scrollTop + transcript.clientHeight >= transcript.scrollHeight - 4;
  transcript.replaceChildren();
  for (const message of chat.messages) {
    const item = document.createElement("li");
    item.className = message.from;
    const from = document.createElement("span");
    from.className = "from";
    from.textContent = t("from_" + message.from) + (message.staff ? ` (${message.staff})` : "");
    const text = document.createElement("span");
    text.textContent = message.text;
    const time = document.createElement("time");
    time.dateTime = message.at;
    time.textContent = new Date(message.at).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    item.append(from, text, time);
    transcript.append(item);
  }
  if (atBottom) transcript.scrollTop = transcript.scrollHeight;
  await loadQuickReplies(chat.language);
}

async function loadQuickReplies(language) {
  if (quickReplies.language === language) return;
  const data = await api(`/staff/api/quick-replies?lang=${encodeURIComponent(language)}`);
  quickReplies = data.replies;
  quickReplies.language = language;
  const select = $("quick");
  select.replaceChildren(new Option("", ""));
  for (const reply of data.replies) select.append(new Option(`${reply.code} — ${reply.text.slice(0, 60)}`, reply.code));
}

function insertQuick(code) {
  const reply = quickReplies.find((r) => r.code === code);
  if (!reply) return false;
  const box = $("reply");
  box.value = box.value.replace(/\/[a-z-]+$/, "") + reply.text;
  box.focus();
  return true;
}

async function act(path, body) {
  showError(null);
  try {
    await api(`/staff/api/chats/${selected}/${path}`, { method: "POST", body: JSON.stringify(body || {}) });
    await Promise.all([loadChat(), loadQueue()]);
  } catch (error) { showError(error); }
}

function fillTable(id, rows, columns) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const column of columns) {
      const td = document.createElement("td");
      const value = row[column];
      td.textContent = value === null || value === undefined ? "–" : String(value);
      tr.append(td);
    }
    body.append(tr);
  }
}

async function showView() {
  const view = views.includes(window.location.hash) ? window.location.hash : views[0];
  $("visits-panel").hidden = view !== "#visits";
  $("monitoring-panel").hidden = view !== "#monitoring";
  $("reports-panel").hidden = view !== "#reports";
  $("queue-panel").hidden = view !== "#chats";
  $("chat-panel").hidden = view !== "#chats" || selected === null;
  if (view === "#monitoring") {
    const data = await api("/staff/api/monitoring");
    fillTable("m-handoffs", data.handoffs, ["month", "region", "language", "chats", "urgent", "reopened", "median_wait_minutes", "p90_wait_minutes"]);
    fillTable("m-reports", data.reports, ["month", "region", "category", "count"]);
    fillTable("m-answers", data.answers, ["month", "language", "topic", "count"]);
  }
  if (view === "#reports") await loadReports();
  if (view === "#visits") await showVisits();
}

function fillSelect(select, values, prefix, empty) {
  const chosen = select.value;
  select.replaceChildren();
  if (empty) select.append(new Option("", ""));
  for (const value of values) select.append(new Option(prefix ? t(prefix + value) : value, value));
  select.value = chosen;
}

async function loadReports() {
  fillSelect($("r-status"), STATUSES, "s_", true);
  fillSelect($("r-category"), CATEGORIES, "", true);
  const query = new URLSearchParams();
  if ($("r-status").value) query.set("status", $("r-status").value);
  if ($("r-category").value) query.set("category", $("r-category").value);
  const data = await api(`/staff/api/reports?${query}`);
  const body = document.querySelector("#r-list tbody");
  body.replaceChildren();
  for (const report of data.reports) {
    const tr = document.createElement("tr");
    const link = document.createElement("button");
    link.type = "button";
    link.textContent = report.code + (report.urgent ? " ⚠" : "");
    link.addEventListener("click", () => { selectedReport = report.code; loadReport().catch(showError); });
    const cells = [link, report.created_at, report.region || t("national"), report.categories.join(", "),
      t("s_" + report.status), report.anonymous ? t("yes") : t("no")];
    for (const cell of cells) {
      const td = document.createElement("td");
      if (cell instanceof Node) td.append(cell); else td.textContent = cell;
      tr.append(td);
    }
    body.append(tr);
  }
}

async function loadReport() {
  if (selectedReport === null) return;
  const report = await api(`/staff/api/reports/${encodeURIComponent(selectedReport)}`);
  $("r-detail").hidden = false;
  $("r-code").textContent = `${report.code} · ${t("s_" + report.status)}`;
  const fields = $("r-fields");
  fields.replaceChildren();
  const rows = [["category", report.categories.join(", ")], ["region", report.region || t("national")],
    ["place", report.place], ["employer", report.employer], ["since", report.since], ["description", report.description],
    ["anonymous", report.anonymous ? t("yes") : t("no")], ["answer_in_chat", report.can_answer_in_chat ? t("yes") : t("no")]];
  for (const [key, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = t(key);
    const dd = document.createElement("dd");
    dd.textContent = value === null || value === undefined || value === "" ? "–" : value;
    fields.append(dt, dd);
  }
  fillSelect($("r-new-status"), STATUSES, "s_", false);
  $("r-new-status").value = report.status;
  const events = $("r-events");
  events.replaceChildren();
  for (const event of report.events) {
    const li = document.createElement("li");
    li.textContent = `${new Date(event.at).toLocaleString(lang)} · ${event.actor} · ${event.action}` +
      (event.to ? ` → ${t("s_" + event.to)}` : "") + (event.note ? ` · ${event.note}` : "");
    events.append(li);
  }
}

async function start() {
  translatePage();
  const session = await api("/staff/api/session");
  csrf = session.csrf;
  $("who").textContent = `${session.username} (${session.role}${session.region ? ", " + session.region : ""})`;
  views = VIEWS[session.role] || [];
  document.querySelectorAll("nav [data-view]").forEach((link) => { link.hidden = !views.includes(link.dataset.view); });
  const chats = views.includes("#chats");
  $("lang").addEventListener("click", () => {
    lang = lang === "nl" ? "en" : "nl";
    localStorage.setItem("staff-lang", lang);
    translatePage();
    if (chats) { loadQueue().catch(showError); loadChat().catch(showError); }
    showView().catch(showError);
  });
  $("logout").addEventListener("click", async () => {
    await fetch("/staff/logout", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
    window.location.href = "/staff/login";
  });
  $("claim").addEventListener("click", () => act("claim"));
  $("release").addEventListener("click", () => act("release"));
  $("close").addEventListener("click", () => act("close", { outcome: $("outcome").value }));
  $("quick").addEventListener("change", (event) => { insertQuick(event.target.value); event.target.value = ""; });
  $("reply").addEventListener("keydown", (event) => {
    // A shortcode ("/hours") followed by Tab inserts the quick reply.
    const match = event.key === "Tab" && $("reply").value.match(/\/[a-z-]+$/);
    if (match && insertQuick(match[0])) event.preventDefault();
  });
  $("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("reply").value.trim();
    if (!text) return;
    await act("messages", { text });
    if (!$("error").textContent) $("reply").value = "";
  });
  $("note-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("note").value.trim();
    if (!text) return;
    await act("notes", { text });
    if (!$("error").textContent) $("note").value = "";
  });
  window.addEventListener("hashchange", () => showView().catch(showError));
  $("report-filter").addEventListener("submit", (event) => { event.preventDefault(); loadReports().catch(showError); });
  $("r-change").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    try {
      await api(`/staff/api/reports/${encodeURIComponent(selectedReport)}/status`, { method: "POST",
        body: JSON.stringify({ status: $("r-new-status").value, note: $("r-note").value.trim() || null }) });
      $("r-note").value = "";
      await Promise.all([loadReport(), loadReports()]);
    } catch (error) { showError(error); }
  });
  initVisits();
  await showView();
  if (chats) await loadQueue();
  // Live updates without reloading: the queue and the open chat, or the open visit's delivery, every few seconds.
  setInterval(() => {
    if (chats) { loadQueue().catch(showError); loadChat().catch(showError); }
    refreshVisits();
  }, 3000);
}

// After every deferred script (visits.js too) has run.
document.addEventListener("DOMContentLoaded", () => start().catch(showError));
