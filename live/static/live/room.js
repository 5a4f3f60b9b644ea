/* Bridgeline live room: the browser side of docs/live-protocol.md.
 *
 * One websocket per participant. Numbered events (`seq`) are applied once
 * each, whatever way they arrive (live, in a `batch`, or replayed by
 * `sync.result` after a reconnect). While a sync is in flight, live events
 * wait so that the replay is applied first, in order.
 *
 * Everything people type (names, chat, questions, poll answers, reasons) is
 * inserted with textContent: never as HTML. The page's words come from the
 * server's translated strings (json_script "live-config"), so this file
 * holds no English.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("live-config");
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var S = config.strings || {};

  var PING_EVERY_MS = 25000;
  var PONG_TIMEOUT_MS = 10000;
  var BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];

  // --- Strings ---------------------------------------------------------------

  // Python-format strings from gettext: %(name)s placeholders, %% for "%".
  function fill(text, vars) {
    return text.replace(/%\((\w+)\)s|%%/g, function (match, name) {
      if (match === "%%") { return "%"; }
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : match;
    });
  }

  function t(key, vars) {
    return fill(Object.prototype.hasOwnProperty.call(S, key) ? String(S[key]) : key, vars);
  }

  function plural(key, count, vars) {
    var forms = S[key];
    // [form for 0, form for 1, form for more]: enough for English, French and Dutch.
    var text = Array.isArray(forms) ? forms[Math.min(Math.max(count, 0), 2)] : key;
    return fill(text, Object.assign({ count: count }, vars || {}));
  }

  // --- DOM helpers -------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function button(text, onClick, className) {
    var b = el("button", className, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  var timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
  function clock(iso) {
    if (!iso) { return ""; }
    var date = new Date(iso);
    return isNaN(date.getTime()) ? "" : timeFormat.format(date);
  }

  /* Keep a list's children in the order of `items`, reusing each item's
   * element (so focus stays on a button that was clicked) and moving an
   * element only when it is out of place. */
  function syncList(container, items, keyOf, render) {
    var cache = container.__live || (container.__live = new Map());
    var seen = new Set();
    items.forEach(function (item, index) {
      var key = String(keyOf(item));
      seen.add(key);
      var node = render(item, cache.get(key));
      node.dataset.key = key;
      cache.set(key, node);
      if (container.children[index] !== node) {
        container.insertBefore(node, container.children[index] || null);
      }
    });
    Array.from(cache.keys()).forEach(function (key) {
      if (!seen.has(key)) {
        var node = cache.get(key);
        cache.delete(key);
        var hadFocus = node.contains(document.activeElement);
        node.remove();
        if (hadFocus) { focusSection(container); }
      }
    });
  }

  function focusSection(container) {
    var heading = container.closest("section") && container.closest("section").querySelector("h2, h3");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function replaceChildren(node, children) {
    node.replaceChildren.apply(node, children.filter(Boolean));
  }

  // --- State ---------------------------------------------------------------------

  var you = Object.assign({ muted: false }, config.you);
  var session = Object.assign({ locked: false, chat_muted: false }, config.session);
  var isStaff = you.role === "staff";

  var room = null;            // set by the first welcome
  var needFresh = true;       // the next welcome replaces the state
  var baseSeq = 0;            // the welcome's head the state was built at
  var lastSeq = 0;            // highest seq applied
  var applied = new Set();    // seqs applied since baseSeq
  var syncing = false;
  var waiting = [];           // numbered events that arrived during a sync
  var pendingChat = new Map(); // client_id -> {text, el, state, private, to}
  var upvoted = new Set();
  var voted = new Set();

  function emptyRoom() {
    return {
      participants: new Map(),
      chat: new Map(),
      questions: new Map(),
      polls: new Map(),
      hands: [],
      spotlight: null,
      lobby: new Map(),
      held: new Map(),
      privateMessages: new Map(),
      staffPresent: null,
    };
  }

  function mapById(list) {
    var map = new Map();
    (list || []).forEach(function (item) { if (item && item.id !== undefined) { map.set(item.id, item); } });
    return map;
  }

  function applyState(state) {
    state = state || {};
    room = emptyRoom();
    room.participants = mapById(state.participants);
    (state.chat || []).forEach(function (m) { room.chat.set(m.id, m); });
    room.questions = mapById(state.questions);
    room.polls = mapById(state.polls);
    room.hands = (state.hands || []).slice();
    room.spotlight = state.spotlight === undefined ? null : state.spotlight;
    room.lobby = mapById(state.lobby);
    room.held = mapById(state.held);
    room.privateMessages = mapById(state.private);
    room.staffPresent = typeof state.staff_present === "number" ? state.staff_present : null;
    room.questions.forEach(function (q) { if (q.upvoted || q.you_upvoted) { upvoted.add(q.id); } });
    room.polls.forEach(function (p) { if (p.voted || p.you_voted || (p.my_vote !== undefined && p.my_vote !== null)) { voted.add(p.id); } });
    chatLog.replaceChildren();
    chatLog.__live = null;
    room.chat.forEach(function (m) { appendChat(m); });
    pendingChat.forEach(function (p) { if (!p.private) { chatLog.appendChild(p.el); } });
  }

  // --- Elements ----------------------------------------------------------------

  var rootNode = $("live-room");
  var statusNode = $("live-status");
  var alertNode = $("live-alerts");
  var staffWarning = $("live-staff-warning");
  var lobbySection = $("live-lobby");
  var mainSection = $("live-main");
  var closedSection = $("live-closed");
  var chatLog = $("live-chat-log");
  var chatScroll = chatLog.parentElement; // the scrolling role="log" around the list
  var chatForm = $("live-chat-form");
  var chatInput = $("live-chat-text");
  var chatMuted = $("live-chat-muted");
  var questionForm = $("live-question-form");
  var questionInput = $("live-question-text");
  var questionList = $("live-question-list");
  var pollList = $("live-poll-list");
  var pollEmpty = $("live-poll-empty");
  var pollForm = $("live-poll-form");
  var handButton = $("live-hand");
  var handQueue = $("live-hand-queue");
  var handQueueEmpty = $("live-hand-queue-empty");
  var peopleList = $("live-people-list");
  var peopleCount = $("live-people-count");
  var lobbyList = $("live-lobby-list");
  var lobbyCount = $("live-lobby-count");
  var lobbyEmpty = $("live-lobby-empty");
  var guestLobbyNote = $("live-guest-lobby");
  var heldList = $("live-held-list");
  var heldEmpty = $("live-held-empty");
  var lockButton = $("live-lock");
  var muteAllButton = $("live-mute-all");
  var endButton = $("live-end");
  var privateLog = $("live-private-log");
  var privateForm = $("live-private-form");
  var privateTo = $("live-private-to");
  var privateText = $("live-private-text");
  var reportDialog = $("live-report-dialog");
  var reportForm = $("live-report-form");
  var reportAbout = $("live-report-about");
  var reportReason = $("live-report-reason");
  var confirmDialog = $("live-confirm-dialog");

  // --- Status and alerts ---------------------------------------------------------

  var alertTimer = null;
  function setStatus(text) {
    if (statusNode.textContent !== text) { statusNode.textContent = text; }
  }
  function showAlert(text) {
    clearTimeout(alertTimer);
    alertNode.replaceChildren(el("p", "live-alert", text));
    alertTimer = setTimeout(function () { alertNode.replaceChildren(); }, 15000);
  }
  function announce(text) {
    // Polite news (a report was received, a poll opened) in the status region.
    setStatus(text);
  }

  // --- The socket ------------------------------------------------------------------

  var socket = null;
  var attempt = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var stopped = false;        // removed, ended, or open in too many windows: no reconnect

  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + config.ws_path;
  }

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) { return false; }
    socket.send(JSON.stringify(frame));
    return true;
  }

  function sendOrWarn(frame) {
    if (!send(frame)) { showAlert(t("offline")); return false; }
    return true;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (stopped) { return; }
    rootNode.dataset.state = "connecting";
    setStatus(attempt ? t("reconnecting") : t("connecting"));
    var ws = new WebSocket(socketUrl());
    socket = ws;
    ws.addEventListener("open", function () {
      if (socket !== ws) { return; }
      startPing();
    });
    ws.addEventListener("message", function (event) {
      if (socket !== ws) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame === "object") { handleFrame(frame); }
    });
    ws.addEventListener("close", function (event) {
      if (socket !== ws) { return; }
      socket = null;
      stopPing();
      onClose(event.code);
    });
  }

  function startPing() {
    stopPing();
    pingTimer = setInterval(function () {
      if (send({ type: "ping" })) {
        clearTimeout(pongTimer);
        pongTimer = setTimeout(function () {
          // No answer: the connection is dead although the browser has not noticed.
          if (socket) { socket.close(); }
        }, PONG_TIMEOUT_MS);
      }
    }, PING_EVERY_MS);
  }

  function stopPing() {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
  }

  function scheduleReconnect(message) {
    var delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    delay = Math.round(delay * (0.8 + Math.random() * 0.4));
    attempt += 1;
    setStatus(message || t("reconnect_in", { seconds: Math.max(1, Math.round(delay / 1000)) }));
    reconnectTimer = setTimeout(connect, delay);
  }

  function onClose(code) {
    rootNode.dataset.state = "disconnected";
    // Events held back for an unfinished sync come again with the next one.
    syncing = false;
    waiting = [];
    if (video) { video.onDisconnect(); }
    switch (code) {
      case 4003: return showClosed(t("removed_title"), t("removed_text"));
      case 4010: return ended();
      case 4004: return showClosed(t("ended_title"), t("not_found_text"));
      case 4029:
        stopped = true;
        showClosed(t("too_many_title"), t("too_many_text"), true);
        return;
      case 4001:
        stopped = true;
        showClosed(t("rejoin_title"), t("rejoin_text"), true);
        return;
      case 4023: return scheduleReconnect(t("locked_wait"));
      default: return scheduleReconnect();
    }
  }

  function showClosed(title, text, offerReconnect) {
    stopped = true;
    clearTimeout(reconnectTimer);
    if (video) { video.stop(); }
    mainSection.hidden = true;
    lobbySection.hidden = true;
    closedSection.hidden = false;
    var heading = $("live-closed-heading");
    heading.textContent = title;
    $("live-closed-text").textContent = text;
    $("live-reconnect").hidden = !offerReconnect;
    setStatus(title);
    heading.focus();
    if (socket) { try { socket.close(); } catch (e) { /* closing anyway */ } }
  }

  function ended() {
    showClosed(t("ended_title"), t("ended_text"));
  }

  $("live-reconnect").addEventListener("click", function () {
    if ($("live-closed-heading").textContent === t("rejoin_title")) {
      location.reload();
      return;
    }
    stopped = false;
    attempt = 0;
    closedSection.hidden = true;
    connect();
  });

  // --- Frames ----------------------------------------------------------------------

  function handleFrame(frame) {
    switch (frame.type) {
      case "welcome": return onWelcome(frame);
      case "lobby.waiting": return onLobby(frame);
      case "batch": (frame.events || []).forEach(function (e) { if (e && typeof e === "object") { handleFrame(e); } }); return;
      case "sync.result": return onSyncResult(frame);
      case "error": return onError(frame);
      case "pong": clearTimeout(pongTimer); return;
      case "poll.voted":
        // The server's answer to our vote (not broadcast).
        voted.add(frame.poll_id);
        if (room) { renderPolls(); }
        return;
      case "rtc.signal": if (video) { video.onSignal(frame.from, frame.data); } return;
      default:
        if (typeof frame.seq === "number") { return onNumbered(frame); }
        return applyEvent(frame);
    }
  }

  function onLobby(frame) {
    if (frame.you) { Object.assign(you, frame.you); }
    attempt = 0;
    rootNode.dataset.state = "lobby";
    mainSection.hidden = true;
    lobbySection.hidden = false;
    setStatus(t("in_lobby"));
  }

  function onWelcome(frame) {
    var wasLobby = rootNode.dataset.state === "lobby";
    if (frame.you) { Object.assign(you, frame.you); }
    if (frame.session) { Object.assign(session, frame.session); }
    attempt = 0;
    if (needFresh || !room) {
      applyState(frame.state);
      baseSeq = typeof frame.head === "number" ? frame.head : 0;
      lastSeq = baseSeq;
      applied = new Set();
      needFresh = false;
    }
    rootNode.dataset.state = "open";
    lobbySection.hidden = true;
    mainSection.hidden = false;
    closedSection.hidden = true;
    setStatus(wasLobby ? t("admitted") : t("connected"));
    renderAll();
    // Catch up on anything between the state and now (and, after a
    // reconnect, everything missed while away).
    syncing = true;
    send({ type: "sync", since: lastSeq });
    resendPending();
    if (video) { video.onWelcome(); }
    if (wasLobby && chatInput) { chatInput.focus(); }
  }

  function onSyncResult(frame) {
    (frame.events || []).forEach(applyNumbered);
    if (frame.complete === false) {
      // Too much was missed: the server sends a fresh welcome next.
      needFresh = true;
      waiting = [];
      syncing = false;
      return;
    }
    syncing = false;
    var queued = waiting.sort(function (a, b) { return a.seq - b.seq; });
    waiting = [];
    queued.forEach(applyNumbered);
    if (typeof frame.head === "number" && frame.head > lastSeq) { lastSeq = frame.head; }
  }

  function onNumbered(event) {
    if (!room || syncing) {
      waiting.push(event);
      return;
    }
    applyNumbered(event);
  }

  function applyNumbered(event) {
    if (!event || typeof event.seq !== "number") { return; }
    if (event.seq <= baseSeq || applied.has(event.seq)) { return; }
    applied.add(event.seq);
    if (event.seq > lastSeq) { lastSeq = event.seq; }
    applyEvent(event);
  }

  function onError(frame) {
    var detail = frame.detail || t("error_generic");
    var pending = frame.ref && pendingChat.get(frame.ref);
    if (pending) {
      pending.state = "failed";
      renderPending(pending);
    }
    if (frame.ref === "rtc.join" && video) { video.onRefused(); }
    showAlert(detail);
  }

  // --- Events ----------------------------------------------------------------------

  function applyEvent(e) {
    if (!room) { return; }
    switch (e.type) {
      case "presence.joined":
        if (e.participant) {
          room.participants.set(e.participant.id, Object.assign({}, room.participants.get(e.participant.id), e.participant));
          room.lobby.delete(e.participant.id);
        }
        break;
      case "presence.left":
        room.participants.delete(e.participant_id);
        if (video) { video.onLeft(e.participant_id); }
        break;
      case "lobby.entered":
        if (e.participant) { room.lobby.set(e.participant.id, e.participant); }
        break;
      case "lobby.left":
        room.lobby.delete(e.participant_id);
        break;
      case "staff.warning":
        room.staffPresent = typeof e.staff_present === "number" ? e.staff_present : room.staffPresent;
        break;
      case "chat.message":
        onChatMessage(e);
        break;
      case "chat.pending":
        onChatPending(e.client_id);
        break;
      case "chat.held":
        if (e.message) { room.held.set(e.message.id, e.message); }
        break;
      case "chat.rejected":
        room.held.delete(e.id);
        break;
      case "chat.deleted":
        onChatDeleted(e.id);
        break;
      case "chat.private":
        onPrivate(e);
        break;
      case "question.asked":
      case "question.updated":
        if (e.question) { room.questions.set(e.question.id, Object.assign({}, room.questions.get(e.question.id), e.question)); }
        break;
      case "question.spotlight":
        room.spotlight = e.question_id === undefined ? null : e.question_id;
        break;
      case "hand.raised":
        if (room.hands.indexOf(e.participant_id) === -1) { room.hands.push(e.participant_id); }
        if (room.participants.has(e.participant_id)) { room.participants.get(e.participant_id).hand_raised_at = e.at; }
        break;
      case "hand.lowered":
        room.hands = room.hands.filter(function (id) { return id !== e.participant_id; });
        if (room.participants.has(e.participant_id)) { room.participants.get(e.participant_id).hand_raised_at = null; }
        break;
      case "poll.created":
        if (e.poll) { room.polls.set(e.poll.id, Object.assign({}, room.polls.get(e.poll.id), e.poll)); }
        if (pollForm && pendingPoll && pendingPoll === e.client_id) { pollForm.reset(); pendingPoll = null; }
        break;
      case "poll.opened":
      case "poll.closed":
        if (e.poll) {
          room.polls.set(e.poll.id, Object.assign({}, room.polls.get(e.poll.id), e.poll));
          announce(t(e.type === "poll.opened" ? "poll_opened" : "poll_closed", { question: e.poll.question }));
        }
        break;
      case "poll.results":
        var poll = room.polls.get(e.poll_id);
        if (poll) { poll.counts = e.counts; poll.total = e.total; }
        break;
      case "participant.muted":
        if (room.participants.has(e.participant_id)) { room.participants.get(e.participant_id).muted = !!e.muted; }
        if (e.participant_id === you.id) { you.muted = !!e.muted; }
        break;
      case "room.chat_muted":
        session.chat_muted = !!e.muted;
        announce(e.muted ? t("chat_muted_all") : t("chat_unmuted_all"));
        break;
      case "participant.removed":
        room.participants.delete(e.participant_id);
        room.lobby.delete(e.participant_id);
        room.hands = room.hands.filter(function (id) { return id !== e.participant_id; });
        if (video) { video.onLeft(e.participant_id); }
        if (e.participant_id === you.id) {
          showClosed(t("removed_title"), t("removed_text"));
          return;
        }
        break;
      case "room.locked":
        session.locked = !!e.locked;
        announce(e.locked ? t("room_locked") : t("room_unlocked"));
        break;
      case "room.guest_lobby":
        // Staff only: after a removal, new guests wait in the lobby.
        session.guest_lobby = !!e.guest_lobby;
        if (isStaff && session.guest_lobby) { announce(t("guest_lobby_on")); }
        break;
      case "session.ended":
        ended();
        return;
      case "report.created":
        if (isStaff) { announce(t("report_created")); }
        break;
      case "report.received":
        announce(t("report_received"));
        showAlert(t("report_received"));
        break;
      case "rtc.joined":
        if (room.participants.has(e.participant_id)) { room.participants.get(e.participant_id).video_on = true; }
        if (video) { video.onJoined(e.participant_id); }
        break;
      case "rtc.left":
        if (room.participants.has(e.participant_id)) { room.participants.get(e.participant_id).video_on = false; }
        if (video) { video.onLeft(e.participant_id); }
        break;
      default:
        return; // an event this page does not know: ignore
    }
    renderAll();
  }

  // --- Chat --------------------------------------------------------------------------

  function authorLine(author, at) {
    var line = el("p", "live-msg-meta");
    var name = el("span", "live-msg-author", (author && author.name) || t("someone"));
    line.appendChild(name);
    if (author && author.role === "staff") { line.appendChild(el("span", "live-badge", t("role_staff"))); }
    if (at) {
      var time = el("time", "live-msg-time", clock(at));
      time.dateTime = at;
      line.appendChild(time);
    }
    return line;
  }

  function chatItem(message) {
    var li = el("li", "live-msg");
    li.dataset.messageId = message.id;
    li.appendChild(authorLine(message.author, message.at));
    li.appendChild(el("p", "live-msg-text", message.text));
    var actions = el("p", "live-actions");
    var mine = message.author && message.author.id === you.id;
    if (!mine) {
      actions.appendChild(button(t("report"), function () {
        openReport({ message_id: message.id }, t("report_message_about", { name: (message.author && message.author.name) || "" }));
      }, "live-small"));
    }
    if (isStaff) {
      actions.appendChild(button(t("delete"), function () {
        sendOrWarn({ type: "chat.delete", message_id: message.id });
      }, "live-small"));
    }
    if (actions.children.length) { li.appendChild(actions); }
    return li;
  }

  function isNearBottom(node) {
    return node.scrollHeight - node.scrollTop - node.clientHeight < 48;
  }

  function appendChat(message) {
    var stick = isNearBottom(chatScroll);
    var li = chatItem(message);
    var pendingForIt = message.client_id && message.author && message.author.id === you.id && pendingChat.get(message.client_id);
    if (pendingForIt) {
      pendingForIt.el.remove();
      pendingChat.delete(message.client_id);
    }
    // Posted messages in the server's order; one's own unconfirmed ones stay below them.
    chatLog.insertBefore(li, chatLog.querySelector(":scope > .live-msg-pending"));
    if (stick) { chatScroll.scrollTop = chatScroll.scrollHeight; }
  }

  function onChatMessage(message) {
    room.held.delete(message.id);
    if (room.chat.has(message.id)) { return; }
    room.chat.set(message.id, message);
    appendChat(message);
  }

  function onChatPending(clientId) {
    var pending = pendingChat.get(clientId);
    if (pending) {
      pending.state = "held";
      renderPending(pending);
    }
  }

  function onChatDeleted(id) {
    room.chat.delete(id);
    var li = chatLog.querySelector('[data-message-id="' + CSS.escape(String(id)) + '"]');
    if (li) {
      var removed = el("li", "live-msg live-msg-removed", t("message_removed"));
      li.replaceWith(removed);
    }
  }

  function renderPending(pending) {
    var li = pending.el;
    li.className = "live-msg live-msg-pending live-msg-" + pending.state;
    var label = {
      sending: t("sending"),
      held: t("held_for_review"),
      failed: t("not_sent"),
    }[pending.state];
    var children = [authorLine(you), el("p", "live-msg-text", pending.text), el("p", "live-msg-state", label)];
    if (pending.state === "failed") {
      children.push(el("p", "live-actions"));
      children[children.length - 1].appendChild(button(t("send_again"), function () {
        pending.state = "sending";
        renderPending(pending);
        sendPending(pending);
      }, "live-small"));
    }
    replaceChildren(li, children);
  }

  function sendPending(pending) {
    if (pending.private) {
      return send({ type: "chat.private", to: pending.to, text: pending.text, client_id: pending.clientId });
    }
    return send({ type: "chat.send", text: pending.text, client_id: pending.clientId });
  }

  function resendPending() {
    pendingChat.forEach(function (pending) {
      if (pending.state === "sending" || pending.state === "offline") {
        pending.state = "sending";
        renderPending(pending);
        sendPending(pending);
      }
    });
  }

  chatForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = chatInput.value.trim();
    if (!text) { return; }
    var pending = { clientId: uuid(), text: text, state: "sending", el: el("li"), private: false };
    pendingChat.set(pending.clientId, pending);
    renderPending(pending);
    chatLog.appendChild(pending.el);
    chatScroll.scrollTop = chatScroll.scrollHeight;
    chatInput.value = "";
    // Sent now if connected, otherwise again after the next welcome (same client_id).
    sendPending(pending);
  });

  function renderChatState() {
    var mutedAll = session.chat_muted && !isStaff;
    var mutedMe = you.muted && !isStaff;
    var muted = mutedAll || mutedMe;
    chatMuted.hidden = !muted;
    chatMuted.textContent = mutedMe ? t("you_are_muted") : (mutedAll ? t("chat_paused") : "");
    chatInput.disabled = muted;
    chatForm.querySelector("button[type=submit]").disabled = muted;
  }

  // --- Private chat between staff -------------------------------------------------

  function onPrivate(message) {
    room.privateMessages.set(message.id, message);
    if (message.client_id && pendingChat.has(message.client_id)) {
      var pending = pendingChat.get(message.client_id);
      pending.el.remove();
      pendingChat.delete(message.client_id);
    }
  }

  function renderPrivate() {
    if (!privateLog) { return; }
    var items = Array.from(room.privateMessages.values());
    syncList(privateLog, items, function (m) { return m.id; }, function (m, node) {
      if (node) { return node; }
      var li = el("li", "live-msg");
      var to = m.to && typeof m.to === "object" ? m.to.name : nameOf(m.to);
      li.appendChild(authorLine(m.author, m.at));
      li.appendChild(el("p", "live-msg-to", t("private_to", { name: to || "" })));
      li.appendChild(el("p", "live-msg-text", m.text));
      return li;
    });
    var others = Array.from(room.participants.values()).filter(function (p) { return p.role === "staff" && p.id !== you.id; });
    var current = privateTo.value;
    var options = others.map(function (p) {
      var option = el("option", null, p.name);
      option.value = String(p.id);
      return option;
    });
    if (!options.length) {
      var none = el("option", null, t("no_other_staff"));
      none.value = "";
      options.push(none);
    }
    privateTo.replaceChildren.apply(privateTo, options);
    if (current && others.some(function (p) { return String(p.id) === current; })) { privateTo.value = current; }
    var disabled = !others.length;
    privateText.disabled = disabled;
    privateForm.querySelector("button[type=submit]").disabled = disabled;
  }

  if (privateForm) {
    privateForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = privateText.value.trim();
      var to = parseInt(privateTo.value, 10);
      if (!text || !to) { return; }
      var pending = { clientId: uuid(), text: text, state: "sending", el: el("li"), private: true, to: to };
      pendingChat.set(pending.clientId, pending);
      renderPending(pending);
      privateLog.appendChild(pending.el);
      privateText.value = "";
      sendPending(pending);
    });
  }

  // --- People ------------------------------------------------------------------------

  function nameOf(id) {
    var p = room && (room.participants.get(id) || room.lobby.get(id));
    return p ? p.name : (id === you.id ? you.name : "");
  }

  function roleLabel(role) {
    return role === "staff" ? t("role_staff") : "";
  }

  function renderPeople() {
    var people = Array.from(room.participants.values());
    people.sort(function (a, b) {
      if ((a.role === "staff") !== (b.role === "staff")) { return a.role === "staff" ? -1 : 1; }
      return String(a.name).localeCompare(String(b.name));
    });
    peopleCount.textContent = "(" + people.length + ")";
    syncList(peopleList, people, function (p) { return p.id; }, function (p, node) {
      var li = node || el("li", "live-person");
      var children = [];
      var name = el("span", "live-person-name", p.name);
      children.push(name);
      if (p.id === you.id) { children.push(el("span", "live-badge", t("you"))); }
      if (roleLabel(p.role)) { children.push(el("span", "live-badge", roleLabel(p.role))); }
      if (room.hands.indexOf(p.id) !== -1) { children.push(el("span", "live-badge live-badge-hand", t("hand_raised"))); }
      if (p.muted) { children.push(el("span", "live-badge", t("muted_badge"))); }
      if (p.video_on) { children.push(el("span", "live-badge", t("camera_badge"))); }
      var actions = el("span", "live-actions");
      if (p.id !== you.id) {
        actions.appendChild(button(t("report"), function () {
          openReport({ participant_id: p.id }, t("report_person_about", { name: p.name }));
        }, "live-small"));
        if (isStaff && p.role !== "staff") {
          var mute = button(p.muted ? t("unmute_person") : t("mute_person"), function () {
            sendOrWarn({ type: "participant.mute", participant_id: p.id, muted: !p.muted });
          }, "live-small");
          mute.setAttribute("aria-label", t(p.muted ? "unmute_person_named" : "mute_person_named", { name: p.name }));
          actions.appendChild(mute);
          var remove = button(t("remove"), function () { confirmRemove(p); }, "live-small live-danger");
          remove.setAttribute("aria-label", t("remove_named", { name: p.name }));
          actions.appendChild(remove);
        }
      }
      children.push(actions);
      var focused = li.contains(document.activeElement) ? document.activeElement.textContent : null;
      replaceChildren(li, children);
      restoreFocus(li, focused);
      return li;
    });
  }

  // After re-rendering an item, put focus back on the button with the same text.
  function restoreFocus(container, text) {
    if (text === null) { return; }
    var match = Array.from(container.querySelectorAll("button")).find(function (b) { return b.textContent === text; });
    (match || container.querySelector("button") || container).focus();
  }

  function confirmRemove(p) {
    confirmAction(t("remove_title"), t("remove_text", { name: p.name }), t("remove"), function () {
      sendOrWarn({ type: "participant.remove", participant_id: p.id });
    });
  }

  // --- Hands -------------------------------------------------------------------------

  function renderHands() {
    var raised = room.hands.indexOf(you.id) !== -1;
    handButton.textContent = raised ? t("lower_hand") : t("raise_hand");
    handButton.setAttribute("aria-pressed", raised ? "true" : "false");
    if (!handQueue) { return; }
    syncList(handQueue, room.hands.slice(), function (id) { return id; }, function (id, node) {
      var li = node || el("li");
      var focused = li.contains(document.activeElement) ? document.activeElement.textContent : null;
      var lower = button(t("lower_hand_of"), function () {
        sendOrWarn({ type: "hand.lower", participant_id: id });
      }, "live-small");
      lower.setAttribute("aria-label", t("lower_hand_named", { name: nameOf(id) }));
      replaceChildren(li, [el("span", "live-person-name", nameOf(id)), lower]);
      restoreFocus(li, focused);
      return li;
    });
    handQueueEmpty.hidden = room.hands.length > 0;
  }

  handButton.addEventListener("click", function () {
    var raised = room && room.hands.indexOf(you.id) !== -1;
    sendOrWarn(raised ? { type: "hand.lower" } : { type: "hand.raise" });
  });

  // --- Questions ---------------------------------------------------------------------

  function upvotesOf(q) {
    if (typeof q.upvotes === "number") { return q.upvotes; }
    if (typeof q.upvote_count === "number") { return q.upvote_count; }
    return 0;
  }

  function isAnswered(q) {
    return !!(q.answered || q.answered_at);
  }

  function renderQuestions() {
    var questions = Array.from(room.questions.values()).filter(function (q) { return !q.hidden; });
    syncList(questionList, questions, function (q) { return q.id; }, function (q, node) {
      var li = node || el("li", "live-question");
      var focused = li.contains(document.activeElement) ? document.activeElement.textContent : null;
      var spot = room.spotlight === q.id;
      li.classList.toggle("live-question-spotlight", spot);
      li.classList.toggle("live-question-answered", isAnswered(q));
      var children = [];
      if (spot) { children.push(el("p", "live-badge live-badge-spotlight", t("in_spotlight"))); }
      children.push(el("p", "live-question-text", q.text));
      var meta = el("p", "meta");
      meta.appendChild(el("span", null, (q.author && q.author.name) || ""));
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(el("span", "live-question-votes", plural("votes", upvotesOf(q))));
      if (isAnswered(q)) {
        meta.appendChild(document.createTextNode(" · "));
        meta.appendChild(el("strong", null, t("answered")));
      }
      children.push(meta);
      var actions = el("p", "live-actions");
      var mine = q.author && q.author.id === you.id;
      if (!mine && q.author) {
        // Questions are not chat messages: a report names their author.
        actions.appendChild(button(t("report"), function () {
          openReport({ participant_id: q.author.id }, t("report_question_about", { name: q.author.name }));
        }, "live-small"));
      }
      if (!mine) {
        var up = button(upvoted.has(q.id) ? t("upvoted") : t("upvote"), function () {
          if (sendOrWarn({ type: "question.upvote", question_id: q.id })) { upvoted.add(q.id); renderQuestions(); }
        }, "live-small");
        up.disabled = upvoted.has(q.id);
        actions.appendChild(up);
      }
      if (isStaff) {
        if (!isAnswered(q)) {
          actions.appendChild(button(t("mark_answered"), function () {
            sendOrWarn({ type: "question.answer", question_id: q.id });
          }, "live-small"));
        }
        var spotButton = button(spot ? t("spotlight_off") : t("spotlight_on"), function () {
          sendOrWarn({ type: "question.spotlight", question_id: spot ? null : q.id });
        }, "live-small");
        spotButton.setAttribute("aria-pressed", spot ? "true" : "false");
        actions.appendChild(spotButton);
      }
      if (actions.children.length) { children.push(actions); }
      replaceChildren(li, children);
      restoreFocus(li, focused);
      return li;
    });
  }

  questionForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = questionInput.value.trim();
    if (!text) { return; }
    if (sendOrWarn({ type: "question.ask", text: text, client_id: uuid() })) { questionInput.value = ""; }
  });

  // --- Polls -------------------------------------------------------------------------

  var pendingPoll = null;

  function pollTotal(poll) {
    if (typeof poll.total === "number") { return poll.total; }
    return (poll.counts || []).reduce(function (a, b) { return a + (b || 0); }, 0);
  }

  function pollResults(poll) {
    var list = el("ul", "live-poll-results");
    var total = pollTotal(poll);
    (poll.options || []).forEach(function (option, index) {
      var count = (poll.counts && poll.counts[index]) || 0;
      var percent = total ? Math.round((count * 100) / total) : 0;
      var li = el("li", "live-poll-result");
      li.appendChild(el("span", "live-poll-option", option));
      li.appendChild(el("span", "live-poll-count", plural("poll_count", count, { percent: percent })));
      var bar = el("span", "live-poll-bar");
      bar.setAttribute("aria-hidden", "true");
      var fill = el("span", "live-poll-bar-fill");
      fill.style.width = percent + "%";
      bar.appendChild(fill);
      li.appendChild(bar);
      list.appendChild(li);
    });
    return list;
  }

  function pollVoteForm(poll) {
    var form = el("form", "live-poll-vote");
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", null, poll.question));
    (poll.options || []).forEach(function (option, index) {
      var id = "live-poll-" + poll.id + "-option-" + index;
      var row = el("div", "live-radio");
      var input = el("input");
      input.type = "radio";
      input.name = "option";
      input.value = String(index);
      input.id = id;
      input.required = true;
      var label = el("label", null, option);
      label.htmlFor = id;
      row.appendChild(input);
      row.appendChild(label);
      fieldset.appendChild(row);
    });
    form.appendChild(fieldset);
    var submit = el("button", null, t("vote"));
    submit.type = "submit";
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[name=option]:checked");
      if (!chosen) { return; }
      if (sendOrWarn({ type: "poll.vote", poll_id: poll.id, option: parseInt(chosen.value, 10) })) {
        voted.add(poll.id);
        renderPolls();
        var item = pollList.querySelector('[data-key="' + CSS.escape(String(poll.id)) + '"] h3');
        if (item) { item.setAttribute("tabindex", "-1"); item.focus(); }
      }
    });
    return form;
  }

  function pollStatus(poll) {
    return { draft: t("poll_draft"), open: t("poll_open"), closed: t("poll_closed_label") }[poll.status] || "";
  }

  function renderPolls() {
    var polls = Array.from(room.polls.values()).filter(function (p) { return isStaff || p.status !== "draft"; });
    pollEmpty.hidden = polls.length > 0;
    syncList(pollList, polls, function (p) { return p.id; }, function (poll, node) {
      var li = node || el("li", "live-poll");
      var focused = li.contains(document.activeElement) ? document.activeElement : null;
      var signature = JSON.stringify([poll.status, voted.has(poll.id), poll.question, poll.options]);
      if (li.dataset.signature === signature && li.querySelector(".live-poll-results")) {
        // Only the numbers changed: keep the form (and a half-made choice) as it is.
        li.querySelector(".live-poll-results").replaceWith(pollResults(poll));
        return li;
      }
      li.dataset.signature = signature;
      var children = [el("h3", null, poll.question), el("p", "meta live-poll-status", pollStatus(poll))];
      if (poll.status === "open" && !voted.has(poll.id)) {
        children.push(pollVoteForm(poll));
      } else if (poll.status === "open") {
        children.push(el("p", "live-poll-thanks", t("voted")));
      }
      children.push(pollResults(poll));
      if (isStaff) {
        var actions = el("p", "live-actions");
        if (poll.status === "draft") {
          actions.appendChild(button(t("poll_open_action"), function () { sendOrWarn({ type: "poll.open", poll_id: poll.id }); }));
        } else if (poll.status === "open") {
          actions.appendChild(button(t("poll_close_action"), function () { sendOrWarn({ type: "poll.close", poll_id: poll.id }); }));
        }
        if (actions.children.length) { children.push(actions); }
      }
      replaceChildren(li, children);
      if (focused && !li.contains(focused)) { restoreFocus(li, focused.textContent); }
      return li;
    });
  }

  if (pollForm) {
    pollForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = $("live-poll-question").value.trim();
      var options = $("live-poll-options").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      if (!question) { return; }
      if (options.length < 2 || options.length > 10) {
        showAlert(t("poll_options_count"));
        $("live-poll-options").focus();
        return;
      }
      pendingPoll = uuid();
      sendOrWarn({ type: "poll.create", question: question, options: options, client_id: pendingPoll });
    });
  }

  // --- Staff controls ----------------------------------------------------------------

  function renderStaff() {
    if (!isStaff) { return; }
    var waitingPeople = Array.from(room.lobby.values());
    lobbyCount.textContent = "(" + waitingPeople.length + ")";
    lobbyEmpty.hidden = waitingPeople.length > 0;
    if (guestLobbyNote) { guestLobbyNote.hidden = !session.guest_lobby; }
    syncList(lobbyList, waitingPeople, function (p) { return p.id; }, function (p, node) {
      var li = node || el("li", "live-person");
      var focused = li.contains(document.activeElement) ? document.activeElement.textContent : null;
      var admit = button(t("admit"), function () { sendOrWarn({ type: "lobby.admit", participant_id: p.id }); }, "live-small");
      admit.setAttribute("aria-label", t("admit_named", { name: p.name }));
      var remove = button(t("remove"), function () { confirmRemove(p); }, "live-small live-danger");
      remove.setAttribute("aria-label", t("remove_named", { name: p.name }));
      replaceChildren(li, [el("span", "live-person-name", p.name), roleLabel(p.role) ? el("span", "live-badge", roleLabel(p.role)) : null, admit, remove]);
      restoreFocus(li, focused);
      return li;
    });

    var held = Array.from(room.held.values());
    heldEmpty.hidden = held.length > 0;
    syncList(heldList, held, function (m) { return m.id; }, function (m, node) {
      if (node) { return node; }
      var li = el("li", "live-msg live-msg-held");
      li.appendChild(authorLine(m.author, m.at));
      li.appendChild(el("p", "live-msg-text", m.text));
      var actions = el("p", "live-actions");
      actions.appendChild(button(t("release"), function () { sendOrWarn({ type: "chat.release", message_id: m.id }); }, "live-small"));
      actions.appendChild(button(t("reject"), function () { sendOrWarn({ type: "chat.reject", message_id: m.id }); }, "live-small"));
      li.appendChild(actions);
      return li;
    });

    lockButton.textContent = session.locked ? t("unlock_room") : t("lock_room");
    lockButton.setAttribute("aria-pressed", session.locked ? "true" : "false");
    muteAllButton.textContent = session.chat_muted ? t("unmute_all") : t("mute_all");
    muteAllButton.setAttribute("aria-pressed", session.chat_muted ? "true" : "false");
    renderPrivate();
  }

  if (isStaff) {
    lockButton.addEventListener("click", function () { sendOrWarn({ type: "room.lock", locked: !session.locked }); });
    muteAllButton.addEventListener("click", function () { sendOrWarn({ type: "room.mute_chat", muted: !session.chat_muted }); });
    endButton.addEventListener("click", function () {
      confirmAction(t("end_title"), t("end_text"), t("end_action"), function () { sendOrWarn({ type: "session.end" }); });
    });
  }

  function renderStaffWarning() {
    if (!isStaff || !session.is_youth) { staffWarning.hidden = true; return; }
    // Counted from presence, which the server keeps current; staff.warning
    // only says when the count dropped.
    var count = Array.from(room.participants.values()).filter(function (p) { return p.role === "staff"; }).length;
    if (count >= 2) {
      staffWarning.hidden = true;
      staffWarning.textContent = "";
      return;
    }
    var text = plural("one_staff", count);
    if (staffWarning.textContent !== text) { staffWarning.textContent = text; }
    staffWarning.hidden = false;
  }

  // --- Dialogs -----------------------------------------------------------------------

  var reportTarget = null;
  var dialogOpener = null;

  function openDialog(dialog) {
    dialogOpener = document.activeElement;
    dialog.showModal();
  }

  [reportDialog, confirmDialog].forEach(function (dialog) {
    dialog.addEventListener("close", function () {
      if (dialogOpener && document.contains(dialogOpener)) { dialogOpener.focus(); }
      dialogOpener = null;
    });
  });

  function openReport(target, about) {
    reportTarget = target;
    reportAbout.textContent = about;
    reportReason.value = "";
    openDialog(reportDialog);
    reportReason.focus();
  }

  reportDialog.addEventListener("close", function () {
    if (reportDialog.returnValue === "send" && reportTarget) {
      var frame = Object.assign({ type: "report.create", reason: reportReason.value.trim() }, reportTarget);
      sendOrWarn(frame);
    }
    reportTarget = null;
  });

  var confirmCallback = null;
  function confirmAction(title, text, action, callback) {
    $("live-confirm-title").textContent = title;
    $("live-confirm-text").textContent = text;
    $("live-confirm-ok").textContent = action;
    confirmCallback = callback;
    confirmDialog.returnValue = "";
    openDialog(confirmDialog);
    confirmDialog.querySelector("button[value=cancel]").focus();
  }

  confirmDialog.addEventListener("close", function () {
    var callback = confirmCallback;
    confirmCallback = null;
    if (confirmDialog.returnValue === "ok" && callback) { callback(); }
  });

  // --- Rendering ---------------------------------------------------------------------

  function renderAll() {
    if (!room) { return; }
    renderChatState();
    renderPeople();
    renderHands();
    renderQuestions();
    renderPolls();
    renderStaff();
    renderStaffWarning();
    if (video) { video.rename(); }
  }

  // --- Video -------------------------------------------------------------------------

  var video = null;
  if (config.session.provider === "webrtc" && window.BridgelineVideo) {
    video = window.BridgelineVideo.create({
      config: config,
      t: t,
      send: send,
      alert: showAlert,
      nameOf: nameOf,
      you: function () { return you; },
      peersWithVideo: function () {
        if (!room) { return []; }
        return Array.from(room.participants.values()).filter(function (p) { return p.video_on; }).map(function (p) { return p.id; });
      },
    });
  }

  connect();
})();
