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

const panes = [];
let version = 0;
let commands = [];

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

function entityElement(entity) {
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
    case "text_link":
    case "url": {
      const link = el("a");
      const href = entity.url || "";
      if (/^(https?:|tg:|mailto:)/i.test(href)) link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    case "bot_command": return el("span", "cmd");
    default: return el("span");
  }
}

// Entities use UTF-16 offsets, which is exactly how JS strings index.
function buildEntities(parent, text, start, end, entities) {
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
    if (entityStart > pos) parent.appendChild(document.createTextNode(text.slice(pos, entityStart)));
    if (entityEnd > entityStart) {
      const node = entityElement(entity);
      buildEntities(node, text, entityStart, entityEnd, inner);
      if (entity.type === "text_link" && node.href === "") node.title = entity.url || "";
      parent.appendChild(node);
      pos = entityEnd;
    }
    i = j;
  }
  if (pos < end) parent.appendChild(document.createTextNode(text.slice(pos, end)));
}

function renderText(text, entities) {
  const fragment = document.createDocumentFragment();
  const sorted = (entities || []).slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  buildEntities(fragment, text || "", 0, (text || "").length, sorted);
  return fragment;
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
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.sendText();
      }
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
    this.input.disabled = false;
    this.sendButton.disabled = false;
    this.renderHead();
  }

  detach() {
    this.userId = null;
    this.user = null;
    this.input.disabled = true;
    this.sendButton.disabled = true;
    this.messages.replaceChildren(el("div", "placeholder", "Press Start to begin a conversation."));
    this.q(".reply-kb").hidden = true;
    this.renderHead();
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
    this.input.value = "";
    await this.send({ text });
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
    const stick = this.renderMessages(chat.messages);
    this.renderReplyKeyboard(chat.reply_keyboard);
    // A keyboard appearing below shrinks the list; stay on the newest message.
    if (stick) this.messages.scrollTop = this.messages.scrollHeight;
    this.showNewAnswers(chat.callback_answers);
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
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const nodes = messages.filter((m) => !m.deleted).map((m) => this.renderMessage(m));
    if (nodes.length === 0) nodes.push(el("div", "placeholder", "Say hello, or try /start."));
    box.replaceChildren(...nodes);
    const stick = atBottom || this.firstRender !== false;
    if (stick) box.scrollTop = box.scrollHeight;
    this.firstRender = false;
    return stick;
  }

  renderMessage(message) {
    const bubble = el("div", `msg ${message.sender}`);
    bubble.dataset.messageId = String(message.message_id);
    bubble.appendChild(this.renderBody(message));
    if (message.reply_markup && message.reply_markup.inline_keyboard) {
      bubble.appendChild(this.renderInlineKeyboard(message));
    }
    const meta = el("span", "meta");
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
        if (message.sender === "bot") body.appendChild(renderText(message.text, message.entities));
        else body.textContent = message.text;
        break;
      case "photo": {
        if (message.file_url) {
          const image = el("img", "photo");
          image.src = message.file_url;
          image.alt = "photo";
          body.appendChild(image);
        } else {
          body.appendChild(el("div", "media-note", "🖼 Photo"));
        }
        caption();
        break;
      }
      case "document": {
        const link = el("a", null, "📄 Document");
        if (message.file_url) link.href = message.file_url;
        link.target = "_blank";
        body.appendChild(link);
        if (message.text) body.appendChild(document.createElement("br"));
        caption();
        break;
      }
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
          node.addEventListener("click", () => window.open(button.url, "_blank", "noopener"));
        }
        rowNode.appendChild(node);
      }
      keyboard.appendChild(rowNode);
    }
    return keyboard;
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

// ---- page ------------------------------------------------------------------------

function slug(name) {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9_]/g, "").slice(0, 32) || null;
}

async function startUsers(createMissing) {
  const users = await api("GET", "/_emu/users");
  const taken = new Set();
  for (const pane of panes) {
    const name = document.querySelector(`[data-testid="name-${pane.index}"]`).value.trim() || `Partner ${pane.index + 1}`;
    let user = users.find((u) => u.first_name === name && !taken.has(u.id));
    if (!user && !createMissing) continue;
    if (!user) user = await api("POST", "/_emu/users", { first_name: name, username: slug(name) });
    taken.add(user.id);
    pane.attach(user);
  }
  await refreshAll();
  if (panes.every((p) => p.active)) setStatus("Chatting with the bot");
}

async function refreshAll() {
  const state = await api("GET", "/_emu/state");
  commands = state.commands || [];
  await Promise.all(panes.map((pane) => pane.refresh()));
}

async function watch() {
  for (;;) {
    try {
      const result = await api("GET", `/_emu/version?since=${version}&timeout=25`);
      if (result.version !== version) {
        version = result.version;
        await refreshAll();
      }
    } catch (error) {
      setStatus("Emulator not reachable, retrying…");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function main() {
  panes.push(new Pane(0), new Pane(1));
  document.querySelector('[data-testid="start"]').addEventListener("click", () => {
    startUsers(true).catch((error) => setStatus(`Start failed: ${error.message}`));
  });
  for (const index of [0, 1]) {
    document.querySelector(`[data-testid="name-${index}"]`).addEventListener("input", () => {
      if (!panes[index].active) panes[index].renderHead();
    });
  }
  // Reattach to existing users with these names after a reload.
  startUsers(false).catch(() => {}).finally(watch);
}

main();
