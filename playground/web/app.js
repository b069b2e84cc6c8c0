// Kintsugi playground page: two partners chatting with the bot through the
// emulator's /_emu/ control API. Bot text is rendered from Telegram entities
// into DOM nodes (textContent only), never through innerHTML, so whatever the
// bot or a user sends cannot inject markup into the page.
"use strict";

const CITIES = [
  ["Berlin", 52.52, 13.405],
  ["New York", 40.7128, -74.006],
  ["London", 51.5074, -0.1278],
  ["Sydney", -33.8688, 151.2093],
  ["Mumbai", 19.076, 72.8777],
  ["São Paulo", -23.5505, -46.6333],
];
const TOAST_MS = 2600;
const ALERT_MS = 5000;
const STORE_KEY = "kintsugi-playground";
const PHOTO_MAX_PX = 260; // the tallest a photo is shown in a chat (style.css)
const NARROW = window.matchMedia("(max-width: 760px)");

const panes = [];
let version = 0;
let commands = [];
let botUsername = "";
let current = 0; // the pane shown when the layout is narrow enough for one at a time

// ---- HTTP ----------------------------------------------------------------

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `${response.status}`);
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function setStatus(text) {
  document.querySelector('[data-testid="status"]').textContent = text;
}

// ---- rendering Telegram entities safely -----------------------------------

function linkElement(href) {
  const link = el("a");
  if (/^(https?:|tg:|mailto:|tel:)/i.test(href)) link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  const start = deepLinkStart(href);
  if (start !== null) link.dataset.start = start; // a t.me link to this bot: opens in the partner's pane
  return link;
}

function commandElement(command) {
  const span = el("span", "cmd");
  span.dataset.command = command.replace(/@\w+$/, ""); // in a private chat Telegram sends it bare
  span.setAttribute("role", "link");
  span.tabIndex = 0;
  return span;
}

function entityElement(entity, text) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote": return el("blockquote");
    case "expandable_blockquote": {
      const quote = el("blockquote", "expandable");
      quote.addEventListener("click", () => quote.classList.toggle("open"));
      return quote;
    }
    case "spoiler": {
      const span = el("span", "spoiler");
      span.addEventListener("click", () => span.classList.add("revealed"));
      return span;
    }
    case "text_link": return linkElement(entity.url || "");
    case "url": return linkElement(withScheme(text));
    case "email": return linkElement(`mailto:${text}`);
    case "phone_number": return linkElement(`tel:${text.replace(/[^\d+]/g, "")}`);
    case "bot_command": return commandElement(text);
    default: return el("span");
  }
}

// What Telegram's apps make tappable in plain text, which the emulator (like the
// Bot API for most of these) leaves without entities: links, bare domains,
// /commands and phone numbers of seven digits or more.
const TLDS = "com|org|net|info|io|me|app|ca|uk|au|nz|ie|de|fr|es|it|nl|be|ch|at|pt|br|mx|ar|co|cl|pe|in|jp";
const AUTO_LINK = new RegExp([
  String.raw`(?<url>\bhttps?:\/\/[^\s<>"“”]+)`,
  String.raw`(?<domain>(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:${TLDS})\b(?:\/[^\s<>"“”]*)?)`,
  String.raw`(?<command>(?<![\w\/])\/[a-z0-9_]{1,32}(?:@[a-z0-9_]{3,32})?(?![\w\/]))`,
  String.raw`(?<phone>(?<![\w+.:\/-])\+?\d(?:[ -]?\d){6,14}(?![\w:]|[.,-]\d))`,
].join("|"), "gi");
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

function withScheme(url) {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}`;
}

function trimTrailing(url) {
  let trimmed = url.replace(/[.,;:!?'"’”\]]+$/, "");
  // A closing bracket belongs to the link only when the link opened one.
  while (trimmed.endsWith(")") && (trimmed.match(/\(/g) || []).length < (trimmed.match(/\)/g) || []).length) {
    trimmed = trimmed.slice(0, -1).replace(/[.,;:!?'"’”\]]+$/, "");
  }
  return trimmed;
}

function autoLinkNode(groups, found) {
  if (groups.url || groups.domain) return linkElement(withScheme(found));
  if (groups.command) return commandElement(found);
  if (ISO_DATE.test(found)) return null; // 2026-12-03 is a date, not a number to call
  return linkElement(`tel:${found.replace(/[^\d+]/g, "")}`);
}

function appendPlain(parent, text, linkable) {
  if (!linkable) {
    parent.appendChild(document.createTextNode(text));
    return;
  }
  let pos = 0;
  for (const match of text.matchAll(AUTO_LINK)) {
    const found = match.groups.url || match.groups.domain ? trimTrailing(match[0]) : match[0];
    const node = autoLinkNode(match.groups, found);
    if (!node) continue;
    if (match.index > pos) parent.appendChild(document.createTextNode(text.slice(pos, match.index)));
    node.textContent = found;
    parent.appendChild(node);
    pos = match.index + found.length;
  }
  if (pos < text.length) parent.appendChild(document.createTextNode(text.slice(pos)));
}

// Text inside links, commands and code is never linked again.
const OPAQUE = new Set(["text_link", "url", "email", "phone_number", "bot_command", "code", "pre"]);

// Entities use UTF-16 offsets, which is exactly how JS strings index.
function buildEntities(parent, text, start, end, entities, linkable) {
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    const entityStart = Math.max(entity.offset, pos);
    const entityEnd = Math.min(entity.offset + entity.length, end);
    let j = i + 1;
    const inner = [];
    while (j < entities.length && entities[j].offset < entity.offset + entity.length) {
      inner.push(entities[j]);
      j += 1;
    }
    if (entityStart > pos) appendPlain(parent, text.slice(pos, entityStart), linkable);
    if (entityEnd > entityStart) {
      const node = entityElement(entity, text.slice(entityStart, entityEnd));
      buildEntities(node, text, entityStart, entityEnd, inner, linkable && !OPAQUE.has(entity.type));
      if (entity.type === "text_link" && !node.href) node.title = entity.url || "";
      parent.appendChild(node);
      pos = entityEnd;
    }
    i = j;
  }
  if (pos < end) appendPlain(parent, text.slice(pos, end), linkable);
}

function renderText(text, entities) {
  const fragment = document.createDocumentFragment();
  const sorted = (entities || []).slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  buildEntities(fragment, text || "", 0, (text || "").length, sorted, true);
  return fragment;
}

// The start payload of a t.me link to this bot ("" when it has none), else null.
// A share link (t.me/share/url?url=...) counts as the link it shares.
function deepLinkStart(href) {
  let url;
  try {
    url = new URL(href);
  } catch (error) {
    return null;
  }
  if (!["t.me", "telegram.me"].includes(url.hostname.toLowerCase())) return null;
  if (url.pathname === "/share/url") return deepLinkStart(url.searchParams.get("url") || "");
  if (!botUsername || url.pathname.slice(1).toLowerCase() !== botUsername.toLowerCase()) return null;
  return url.searchParams.get("start") || "";
}

function formatSize(bytes) {
  if (!bytes && bytes !== 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function formatTime(unix) {
  const date = new Date(unix * 1000);
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

// ---- one chat pane ------------------------------------------------------------

class Pane {
  constructor(index) {
    this.index = index;
    this.userId = null;
    this.user = null;
    this.answersSeen = 0;
    this.toastTimer = null;
    this.editing = null; // {id, text} of the user's own message being edited
    this.chatMessages = [];
    this.botSeen = 0; // bot messages the person has had in view; more make an unread badge
    this.unread = 0;
    const fragment = document.getElementById("pane-template").content.cloneNode(true);
    this.root = fragment.querySelector(".pane");
    this.root.dataset.pane = String(index);
    document.querySelector(".panes").appendChild(fragment);
    this.q = (selector) => this.root.querySelector(selector);
    this.messages = this.q(".messages");
    this.input = this.q(".text-input");
    this.input.dataset.testid = `input-${index}`;
    this.sendButton = this.q(".send-btn");
    this.sendButton.dataset.testid = `send-${index}`;
    this.wire();
    this.buildCityPicker();
    this.renderHead();
  }

  wire() {
    this.sendButton.addEventListener("click", () => this.sendText());
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.q(".edit-cancel").addEventListener("click", () => this.endEdit());
    this.messages.addEventListener("click", (event) => this.onTap(event));
    this.messages.addEventListener("scroll", () => {
      if (this.messages.clientHeight > 0) this.stick = this.atBottom(); // not while its tab is hidden
    });
    this.messages.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.dataset.command) this.onTap(event);
    });
    this.q(".sticker-btn").addEventListener("click", () => this.send({ sticker: true }));
    this.q(".photo-btn").addEventListener("click", () => this.send({ photo: true }));
    this.q(".loc-btn").addEventListener("click", () => this.toggleCities());
    this.q(".cmd-btn").addEventListener("click", () => this.toggleCommands());
    this.q(".block-btn").addEventListener("click", () => this.toggleBlock());
  }

  buildCityPicker() {
    const picker = this.q(".city-picker");
    for (const [name, latitude, longitude] of CITIES) {
      const button = el("button", "city-btn", name);
      button.type = "button";
      button.addEventListener("click", () => {
        this.send({ location: { latitude, longitude } });
        this.citiesOpen = false;
        this.renderCityPicker();
      });
      picker.appendChild(button);
    }
  }

  get active() {
    return this.userId !== null;
  }

  attach(user) {
    this.userId = user.id;
    this.user = user;
    this.answersSeen = -1; // do not replay old toasts after a reload
    this.botSeen = null; // nor count a whole old chat as unread
    this.input.disabled = false;
    this.sendButton.disabled = false;
    this.renderHead();
  }

  detach() {
    this.userId = null;
    this.user = null;
    this.input.disabled = true;
    this.sendButton.disabled = true;
    this.endEdit();
    this.messages.replaceChildren(el("div", "placeholder", "Press Start to begin a conversation."));
    this.q(".reply-kb").hidden = true;
    this.renderHead();
  }

  onKey(event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      this.sendText();
    } else if (event.key === "Escape" && this.editing) {
      this.endEdit();
    } else if (event.key === "ArrowUp" && !this.input.value) {
      // As in Telegram's apps: the up arrow in an empty box edits your last message.
      const last = this.chatMessages.filter(editable).pop();
      if (last) {
        event.preventDefault();
        this.beginEdit(last);
      }
    }
  }

  // A tap on something in a message: a /command is sent, a link to this bot
  // opens in the partner's pane (as if they had tapped it), a photo opens large.
  onTap(event) {
    const target = event.target.closest("[data-command], [data-start], img.photo, .edit-btn");
    if (!target || !this.messages.contains(target)) return;
    if (target.classList.contains("edit-btn")) {
      const message = this.chatMessages.find((m) => String(m.message_id) === target.dataset.messageId);
      if (message) this.beginEdit(message);
    } else if (target.dataset.command) {
      event.preventDefault();
      this.send({ text: target.dataset.command });
    } else if (target.dataset.start !== undefined) {
      event.preventDefault();
      openDeepLink(this, target.dataset.start);
    } else {
      openLightbox(target.src, target.dataset.caption || "");
    }
  }

  beginEdit(message) {
    this.editing = { id: message.message_id, text: message.text };
    this.q(".edit-bar").hidden = false;
    this.q(".edit-quote").textContent = message.text;
    this.input.value = message.text;
    this.sendButton.textContent = "Save";
    this.input.focus();
  }

  endEdit() {
    this.editing = null;
    this.q(".edit-bar").hidden = true;
    this.input.value = "";
    this.sendButton.textContent = "Send";
  }

  renderHead(chat) {
    const name = this.user ? this.user.first_name : document.querySelector(`[data-testid="name-${this.index}"]`).value;
    this.q(".pane-title").textContent = name || `Partner ${this.index + 1}`;
    this.q(".avatar").textContent = (name || "?").slice(0, 1).toUpperCase();
    let sub = this.user ? `user id ${this.user.id}` : "not started";
    if (chat) {
      const action = chat.chat_actions[chat.chat_actions.length - 1];
      if (action && Date.now() / 1000 - action.at < 5) sub = `bot is ${action.action.replace(/_/g, " ")}…`;
      if (chat.user.blocked) sub = "you blocked the bot";
    }
    this.q(".pane-sub").textContent = sub;
  }

  async send(body) {
    if (!this.active) return;
    try {
      await api("POST", `/_emu/users/${this.userId}/messages`, body);
    } catch (error) {
      this.toast(`Could not send: ${error.message}`, false);
    }
  }

  async sendText() {
    const text = this.input.value;
    if (!text.trim()) return;
    this.stick = true; // as in Telegram: what you send, and the answer, come into view
    if (this.editing) {
      await this.saveEdit(text);
      return;
    }
    this.input.value = "";
    await this.send({ text });
  }

  async saveEdit(text) {
    const { id, text: before } = this.editing;
    this.endEdit();
    if (text === before) return; // unchanged: Telegram sends no edit either
    try {
      await api("POST", `/_emu/users/${this.userId}/edits`, { message_id: id, text });
    } catch (error) {
      this.toast(`Could not edit: ${error.message}`, false);
    }
  }

  async press(messageId, data) {
    try {
      await api("POST", `/_emu/users/${this.userId}/presses`, { message_id: messageId, callback_data: data });
    } catch (error) {
      this.toast(`Could not press: ${error.message}`, false);
    }
  }

  async toggleBlock() {
    if (!this.active) return;
    const blocked = this.root.classList.contains("blocked");
    await api("POST", `/_emu/users/${this.userId}/block`, { blocked: !blocked });
  }

  toggleCities() {
    this.citiesOpen = !this.citiesOpen;
    this.renderCityPicker();
  }

  renderCityPicker(keyboardWantsLocation) {
    if (keyboardWantsLocation !== undefined) this.keyboardWantsLocation = keyboardWantsLocation;
    this.q(".city-picker").hidden = !(this.active && (this.citiesOpen || this.keyboardWantsLocation));
  }

  toggleCommands() {
    const menu = this.q(".commands-menu");
    if (!menu.hidden) {
      menu.hidden = true;
      return;
    }
    menu.replaceChildren();
    if (commands.length === 0) menu.appendChild(el("div", "empty", "The bot has not set any commands."));
    for (const command of commands) {
      const item = el("button");
      item.type = "button";
      item.appendChild(el("span", "c", `/${command.command}`));
      item.appendChild(document.createTextNode(command.description));
      item.addEventListener("click", () => {
        menu.hidden = true;
        this.send({ text: `/${command.command}` });
      });
      menu.appendChild(item);
    }
    menu.hidden = false;
  }

  toast(text, alert) {
    const box = this.q(".toast");
    box.textContent = text;
    box.classList.toggle("alert", Boolean(alert));
    box.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { box.hidden = true; }, alert ? ALERT_MS : TOAST_MS);
  }

  async refresh() {
    if (!this.active) return;
    let chat;
    try {
      chat = await api("GET", `/_emu/users/${this.userId}/chat`);
    } catch (error) {
      this.detach(); // the emulator was reset
      return;
    }
    this.root.classList.toggle("blocked", chat.user.blocked);
    this.q(".block-btn").textContent = chat.user.blocked ? "Unblock bot" : "Block bot";
    this.renderHead(chat);
    this.chatMessages = chat.messages;
    this.countUnread(chat.messages);
    const stick = this.renderMessages(chat.messages);
    this.renderReplyKeyboard(chat.reply_keyboard);
    // A keyboard appearing below shrinks the list; stay on the newest message.
    if (stick) this.messages.scrollTop = this.messages.scrollHeight;
    this.showNewAnswers(chat.callback_answers);
  }

  get visible() {
    return !NARROW.matches || current === this.index;
  }

  countUnread(messages) {
    const fromBot = messages.filter((m) => m.sender === "bot" && !m.deleted).length;
    if (this.botSeen === null || this.visible || fromBot < this.botSeen) this.botSeen = fromBot;
    this.unread = fromBot - this.botSeen;
    renderTabs();
  }

  showNewAnswers(answers) {
    if (this.answersSeen < 0) this.answersSeen = answers.length;
    for (const answer of answers.slice(this.answersSeen)) {
      if (answer.text) this.toast(answer.text, answer.show_alert);
    }
    this.answersSeen = answers.length;
  }

  renderMessages(messages) {
    const box = this.messages;
    // Follow the newest message unless the person scrolled up to read: the list can
    // shrink under them (an edit bar, a keyboard) without their having moved at all.
    const atBottom = this.stick !== false || this.atBottom();
    const nodes = messages.filter((m) => !m.deleted).map((m) => this.renderMessage(m));
    if (nodes.length === 0) nodes.push(el("div", "placeholder", "Say hello, or try /start."));
    box.replaceChildren(...nodes);
    const stick = atBottom || this.firstRender !== false;
    if (stick) box.scrollTop = box.scrollHeight;
    this.firstRender = false;
    this.stick = stick;
    return stick;
  }

  atBottom() {
    const box = this.messages;
    return box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  }

  // A photo that loads after the list was scrolled grows it: stay on the newest message.
  keepNewestInView() {
    if (this.stick) this.messages.scrollTop = this.messages.scrollHeight;
  }

  renderMessage(message) {
    const bubble = el("div", `msg ${message.sender}`);
    bubble.dataset.messageId = String(message.message_id);
    bubble.appendChild(this.renderBody(message));
    if (message.reply_markup && message.reply_markup.inline_keyboard) {
      bubble.appendChild(this.renderInlineKeyboard(message));
    }
    const meta = el("span", "meta");
    if (editable(message)) {
      const edit = el("button", "edit-btn", "Edit");
      edit.type = "button";
      edit.title = "Edit this message";
      edit.dataset.messageId = String(message.message_id);
      meta.appendChild(edit);
    }
    if (message.edit_count > 0) meta.appendChild(el("span", "edited", "edited"));
    meta.appendChild(document.createTextNode(formatTime(message.edit_date || message.date)));
    bubble.appendChild(meta);
    return bubble;
  }

  renderBody(message) {
    const body = el("div", "body");
    const caption = () => body.appendChild(renderText(message.text, message.entities));
    switch (message.kind) {
      case "text":
        caption();
        break;
      case "photo": {
        if (message.file_url) {
          const image = el("img", "photo");
          image.src = message.file_url;
          image.alt = "photo; tap to see it full size";
          image.title = "Tap to see it full size";
          image.dataset.caption = message.text || "";
          image.addEventListener("load", () => this.keepNewestInView());
          reserveSpace(image, (message.photo || []).at(-1));
          body.appendChild(image);
        } else {
          body.appendChild(el("div", "media-note", "🖼 Photo"));
        }
        caption();
        break;
      }
      case "document":
        body.appendChild(documentCard(message));
        caption();
        break;
      case "sticker":
        body.appendChild(el("div", "sticker", (message.sticker && message.sticker.emoji) || "🙂"));
        break;
      case "voice":
        body.appendChild(el("div", "media-note", "🎤 Voice message"));
        break;
      case "location": {
        const loc = message.location || {};
        const city = CITIES.find(([, lat, lon]) => lat === loc.latitude && lon === loc.longitude);
        const where = city ? `${city[0]} ` : "";
        body.appendChild(el("div", "media-note", `📍 ${where}(${loc.latitude}, ${loc.longitude})`));
        break;
      }
      case "contact":
        body.appendChild(el("div", "media-note", `👤 Contact ${(message.contact || {}).phone_number || ""}`));
        break;
      default:
        body.appendChild(el("div", "media-note", message.kind));
    }
    return body;
  }

  renderInlineKeyboard(message) {
    const keyboard = el("div", "inline-kb");
    for (const row of message.reply_markup.inline_keyboard) {
      const rowNode = el("div", "row");
      for (const button of row) {
        const node = el("button", "inline-btn", button.text);
        node.type = "button";
        if (button.callback_data !== undefined) {
          node.addEventListener("click", () => this.press(message.message_id, button.callback_data));
        } else if (button.url) {
          node.title = button.url;
          node.addEventListener("click", () => this.openUrl(button.url));
        }
        rowNode.appendChild(node);
      }
      keyboard.appendChild(rowNode);
    }
    return keyboard;
  }

  openUrl(url) {
    const start = deepLinkStart(url);
    if (start !== null) openDeepLink(this, start);
    else window.open(url, "_blank", "noopener");
  }

  renderReplyKeyboard(markup) {
    const box = this.q(".reply-kb");
    box.replaceChildren();
    let wantsLocation = false;
    if (markup && markup.keyboard) {
      for (const row of markup.keyboard) {
        const rowNode = el("div", "row");
        for (const button of row) {
          const node = el("button", "reply-btn", button.text);
          node.type = "button";
          if (button.request_location) {
            wantsLocation = true;
            const [, latitude, longitude] = CITIES[0];
            node.title = "Shares Berlin; pick another city below";
            node.addEventListener("click", () => this.send({ location: { latitude, longitude } }));
          } else if (button.request_contact) {
            node.addEventListener("click", () => this.send({ contact: true }));
          } else {
            node.addEventListener("click", () => this.send({ text: button.text }));
          }
          rowNode.appendChild(node);
        }
        box.appendChild(rowNode);
      }
    }
    box.hidden = !(markup && markup.keyboard);
    this.renderCityPicker(wantsLocation);
  }
}

// ---- things a message can hold ---------------------------------------------------

// A message the person may still edit: their own text, as in Telegram.
function editable(message) {
  return message.sender === "user" && message.kind === "text" && !message.deleted;
}

// The photo's box, sized before its bytes arrive, so the list does not jump when it loads.
function reserveSpace(image, size) {
  if (!size || !size.width || !size.height) return;
  image.style.aspectRatio = `${size.width} / ${size.height}`;
  image.style.width = `min(100%, ${size.width}px, ${Math.round((PHOTO_MAX_PX * size.width) / size.height)}px)`;
}

// A file as Telegram shows it: an icon, its name, and its size and type below.
function documentCard(message) {
  const info = message.document || {};
  const card = el("a", "doc");
  if (message.file_url) {
    card.href = message.file_url;
    card.download = info.file_name || "";
  }
  card.appendChild(el("span", "doc-icon", "📄"));
  const text = el("span", "doc-text");
  text.appendChild(el("span", "doc-name", info.file_name || "Document"));
  const details = [formatSize(info.file_size), info.mime_type].filter(Boolean).join(" · ");
  text.appendChild(el("span", "doc-size", details));
  card.appendChild(text);
  return card;
}

// Opening a t.me link to this bot from one pane: in Telegram the partner would
// tap it in their own app, which sends "/start <payload>" from their chat.
function openDeepLink(from, start) {
  const partner = panes[1 - from.index];
  if (!partner.active) {
    from.toast("Press Start first, so the other partner has a chat to open it in.", false);
    return;
  }
  partner.send({ text: start ? `/start ${start}` : "/start" });
  from.toast(`Opened in ${partner.user.first_name}'s chat, as if they had tapped the link.`, false);
  if (NARROW.matches) showPane(partner.index);
}

function openLightbox(src, caption) {
  const box = document.querySelector(".lightbox");
  box.querySelector("img").src = src;
  box.querySelector(".lightbox-caption").textContent = caption;
  box.querySelector(".lightbox-open").href = src;
  box.hidden = false;
  box.querySelector(".lightbox-close").focus();
}

function closeLightbox() {
  const box = document.querySelector(".lightbox");
  box.hidden = true;
  box.querySelector("img").removeAttribute("src");
}

// ---- narrow screens: one partner at a time, switched by tabs -----------------------

function showPane(index) {
  const hiding = panes[current];
  if (hiding.messages.clientHeight > 0) hiding.scrolled = hiding.messages.scrollTop;
  current = index;
  for (const pane of panes) pane.root.classList.toggle("current", pane.index === index);
  // A hidden list loses its place (and grew meanwhile): back to the newest, or where they were.
  const shown = panes[index];
  shown.messages.scrollTop = shown.stick !== false ? shown.messages.scrollHeight : shown.scrolled || 0;
  panes[index].botSeen += panes[index].unread;
  panes[index].unread = 0;
  renderTabs();
}

function renderTabs() {
  for (const pane of panes) {
    const tab = document.querySelector(`[data-testid="tab-${pane.index}"]`);
    if (!tab) return; // panes are still being built
    tab.querySelector(".tab-name").textContent = pane.q(".pane-title").textContent;
    tab.setAttribute("aria-selected", String(pane.index === current));
    const badge = tab.querySelector(".badge");
    badge.textContent = String(pane.unread);
    badge.hidden = pane.unread === 0;
  }
}

// ---- page ------------------------------------------------------------------------

// The names typed, and which emulator users the panes were, kept across reloads.
function loadSaved() {
  try {
    return JSON.parse(localStorage.getItem(STORE_KEY)) || {};
  } catch (error) {
    return {};
  }
}

function save() {
  const names = [0, 1].map((i) => nameInput(i).value);
  const userIds = panes.map((pane) => pane.userId);
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify({ names, userIds }));
  } catch (error) {
    // Storage may be off (private mode); the page works without it.
  }
}

function nameInput(index) {
  return document.querySelector(`[data-testid="name-${index}"]`);
}

function slug(name) {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9_]/g, "").slice(0, 32) || null;
}

async function startUsers(createMissing) {
  const users = await api("GET", "/_emu/users");
  const savedIds = loadSaved().userIds || [];
  const taken = new Set();
  for (const pane of panes) {
    const name = nameInput(pane.index).value.trim() || `Partner ${pane.index + 1}`;
    const free = users.filter((u) => u.first_name === name && !taken.has(u.id));
    // The same user as before the reload, when the name still fits; else the first of that name.
    let user = free.find((u) => u.id === savedIds[pane.index]) || free[0];
    if (!user && !createMissing) continue;
    if (!user) user = await api("POST", "/_emu/users", { first_name: name, username: slug(name) });
    taken.add(user.id);
    pane.attach(user);
  }
  save();
  await refreshAll();
  if (panes.every((p) => p.active)) setStatus("Chatting with the bot");
}

async function refreshAll() {
  const state = await api("GET", "/_emu/state");
  commands = state.commands || [];
  botUsername = (state.bot && state.bot.username) || "";
  await Promise.all(panes.map((pane) => pane.refresh()));
}

async function watch() {
  let failed = false;
  for (;;) {
    try {
      const result = await api("GET", `/_emu/version?since=${version}&timeout=25`);
      if (failed) setStatus(panes.every((p) => p.active) ? "Chatting with the bot" : "Not started");
      failed = false;
      if (result.version !== version) {
        version = result.version;
        await refreshAll();
      }
    } catch (error) {
      failed = true;
      setStatus("Emulator not reachable, retrying…");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function wirePage() {
  document.querySelector('[data-testid="start"]').addEventListener("click", () => {
    startUsers(true).catch((error) => setStatus(`Start failed: ${error.message}`));
  });
  const saved = loadSaved();
  for (const index of [0, 1]) {
    const input = nameInput(index);
    if (saved.names && saved.names[index]) input.value = saved.names[index];
    input.addEventListener("input", () => {
      save();
      if (!panes[index].active) panes[index].renderHead();
      renderTabs();
    });
    document.querySelector(`[data-testid="tab-${index}"]`).addEventListener("click", () => showPane(index));
  }
  const box = document.querySelector(".lightbox");
  box.addEventListener("click", (event) => {
    if (!event.target.closest("img, .lightbox-open")) closeLightbox(); // a tap beside the photo closes it
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !box.hidden) closeLightbox();
  });
  NARROW.addEventListener("change", () => showPane(current));
}

function main() {
  panes.push(new Pane(0), new Pane(1));
  wirePage();
  for (const pane of panes) pane.renderHead();
  showPane(0);
  // Reattach to the users of before the reload (same names) and their chats.
  startUsers(false).catch(() => {}).finally(watch);
}

main();
