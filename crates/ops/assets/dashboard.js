// The operations dashboard of the webhook inbox: counts, the event list with
// its filters, one event's detail, retries and deletes, through the JSON API
// of the operations server.
//
// Event content is untrusted (payload text can hold HTML and scripts): every
// node is built with createElement and textContent, never from HTML text.
// The page runs under a strict Content-Security-Policy: no inline script or
// style, so styles are set through classes only.

'use strict';

(() => {
  const TOKEN_KEY = 'instagram-webhook-ops-token';
  const PAGE_SIZE = 50;
  const DEFAULT_REFRESH = 10;
  const STATES = ['pending', 'processing', 'processed', 'failed', 'dead_letter'];
  const STATE_LABELS = {
    pending: 'pending',
    processing: 'processing',
    processed: 'processed',
    failed: 'failed',
    dead_letter: 'dead letter',
  };
  const ERROR_PREVIEW = 80;

  const $ = (id) => document.getElementById(id);

  const app = {
    token: null,
    access: null,
    started: false,
    filters: { state: '', kind: '', account: '' },
    // The `before` cursor of the page shown (null: the newest page), and
    // the cursors of the pages before it, to go back with "Newer".
    cursor: null,
    cursors: [],
    next: null,
    interval: DEFAULT_REFRESH,
    paused: false,
    timer: null,
    refreshing: null,
    listSeq: 0,
    statsSeq: 0,
    refreshError: false,
    kinds: '',
    detail: null,
    detailSeq: 0,
    raw: { url: null, text: null, loading: false },
    bulk: null,
  };

  // -------------------------------------------------------------------------
  // Small helpers.

  /** An element with a class and a text; nothing is ever parsed as HTML. */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function pad(n, width = 2) {
    return String(n).padStart(width, '0');
  }

  function parseTime(value) {
    if (!value) return null;
    const time = new Date(value);
    return Number.isNaN(time.getTime()) ? null : time;
  }

  function clock(date) {
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }

  function day(date) {
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }

  /** Local date and time, to the second. */
  function fullTime(value) {
    const time = parseTime(value);
    return time ? `${day(time)} ${clock(time)}` : '—';
  }

  /** The time only for today, the date and minute otherwise. */
  function shortTime(value) {
    const time = parseTime(value);
    if (!time) return '—';
    if (day(time) === day(new Date())) return clock(time);
    return `${day(time)} ${pad(time.getHours())}:${pad(time.getMinutes())}`;
  }

  /** A duration in seconds as a person says it: "12 s", "3 min", "2 h 5 min". */
  function human(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min`;
    const h = Math.floor(m / 60);
    if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
    const d = Math.floor(h / 24);
    return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
  }

  function millis(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  }

  function count(n) {
    return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
  }

  function plural(n, one, many) {
    return `${count(n)} ${n === 1 ? one : many}`;
  }

  /** When a pending or failed event runs next; empty for the others. */
  function nextRun(event) {
    if (event.state !== 'pending' && event.state !== 'failed') return '';
    const at = parseTime(event.run_at);
    if (!at) return '';
    const wait = (at.getTime() - Date.now()) / 1000;
    return wait <= 0 ? 'due now' : `in ${human(wait)}`;
  }

  function truncate(text, length) {
    if (!text) return '';
    const flat = String(text).replace(/\s+/g, ' ').trim();
    return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
  }

  function badge(state) {
    const span = el('span', `badge state-${STATES.includes(state) ? state : 'unknown'}`, STATE_LABELS[state] || state);
    span.dataset.state = state;
    return span;
  }

  function isWrite() {
    return app.access === 'write';
  }

  // -------------------------------------------------------------------------
  // The status lines.

  function showStatus(text, kind = 'info', target = $('status')) {
    target.textContent = text;
    target.className = `status status-${kind}`;
    target.hidden = !text;
  }

  function clearStatus(target = $('status')) {
    showStatus('', 'info', target);
  }

  function describe(error) {
    if (error instanceof ApiError) {
      const where = error.parameter ? ` (parameter ${error.parameter})` : '';
      return `${error.message}${where}`;
    }
    return error && error.message ? error.message : String(error);
  }

  // -------------------------------------------------------------------------
  // The API.

  class ApiError extends Error {
    constructor(status, code, message, parameter) {
      super(message);
      this.name = 'ApiError';
      this.status = status;
      this.code = code;
      this.parameter = parameter || null;
    }
  }

  /** Reads an error answer: the API's `{"error": {...}}`, or the status. */
  async function apiError(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    const error = body && typeof body === 'object' ? body.error : null;
    if (error && typeof error === 'object') {
      return new ApiError(
        response.status,
        String(error.code || 'error'),
        String(error.message || `HTTP ${response.status}`),
        error.parameter ? String(error.parameter) : null,
      );
    }
    return new ApiError(response.status, 'http', `The server answered ${response.status} ${response.statusText}`.trim());
  }

  /**
   * Calls the API with the token. Answers the JSON body (or the bytes, with
   * `bytes: true`); throws an ApiError for an error answer. A 401 shows the
   * token form again.
   */
  async function api(path, { method = 'GET', body, bytes = false } = {}) {
    if (!app.token) throw new ApiError(401, 'unauthorized', 'No token: enter the operations token.');
    const headers = { Authorization: `Bearer ${app.token}` };
    if (!bytes) headers.Accept = 'application/json';
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error',
      });
    } catch (error) {
      throw new ApiError(0, 'network', `The operations server did not answer (${error.message || error}).`);
    }
    if (!response.ok) {
      const error = await apiError(response);
      if (response.status === 401) askToken(`The token was refused: ${error.message}`);
      throw error;
    }
    if (bytes) return new Uint8Array(await response.arrayBuffer());
    try {
      return await response.json();
    } catch (_) {
      throw new ApiError(response.status, 'bad_answer', `The answer to ${method} ${path} is not JSON.`);
    }
  }

  function query(params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
    }
    const text = search.toString();
    return text ? `?${text}` : '';
  }

  /** The API's filter parameters for the filters shown. */
  function filterParams() {
    return {
      status: app.filters.state,
      eventType: app.filters.kind,
      account: app.filters.account,
    };
  }

  // -------------------------------------------------------------------------
  // The token.

  function storage() {
    try {
      return window.sessionStorage;
    } catch (_) {
      return null;
    }
  }

  /** The token of the fragment (`#token=...`, then removed from the address bar), or the session's. */
  function readToken() {
    const hash = location.hash.replace(/^#/, '');
    if (hash) {
      const params = new URLSearchParams(hash);
      const token = params.get('token');
      if (token !== null) {
        params.delete('token');
        const rest = params.toString();
        history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
        if (token.trim()) {
          const store = storage();
          if (store) store.setItem(TOKEN_KEY, token.trim());
          return token.trim();
        }
      }
    }
    const store = storage();
    return store ? store.getItem(TOKEN_KEY) : null;
  }

  function askToken(reason) {
    app.token = null;
    const store = storage();
    if (store) store.removeItem(TOKEN_KEY);
    stopTimer();
    $('refresh-controls').hidden = true;
    $('token-reason').textContent = reason || 'Enter the operations token to read the inbox.';
    $('token-form').hidden = false;
    $('token-input').value = '';
    $('token-input').focus();
  }

  function onTokenSubmit(event) {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    const store = storage();
    if (store) store.setItem(TOKEN_KEY, token);
    app.token = token;
    $('token-form').hidden = true;
    clearStatus();
    start();
  }

  // -------------------------------------------------------------------------
  // Filters, mirrored in the query string.

  function readLocation() {
    const params = new URLSearchParams(location.search);
    const state = params.get('state') || '';
    app.filters.state = STATES.includes(state) ? state : '';
    app.filters.kind = (params.get('kind') || '').trim();
    app.filters.account = (params.get('account') || '').trim();
    const refresh = params.get('refresh');
    if (refresh !== null && /^\s*\d+\s*$/.test(refresh)) {
      const seconds = Number.parseInt(refresh, 10);
      if (seconds >= 1) {
        app.interval = seconds;
      } else {
        app.paused = true;
      }
    }
  }

  function showFilters() {
    $('filter-state').value = app.filters.state;
    $('filter-kind').value = app.filters.kind;
    $('filter-account').value = app.filters.account;
  }

  function writeLocation() {
    const params = new URLSearchParams(location.search);
    for (const key of ['state', 'kind', 'account']) {
      if (app.filters[key]) params.set(key, app.filters[key]);
      else params.delete(key);
    }
    const search = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  }

  let filterDelay = null;

  /** Takes the filters from the inputs; reloads the first page when they changed. */
  function applyFilters() {
    clearTimeout(filterDelay);
    filterDelay = null;
    const filters = {
      state: $('filter-state').value,
      kind: $('filter-kind').value.trim(),
      account: $('filter-account').value.trim(),
    };
    if (filters.state === app.filters.state && filters.kind === app.filters.kind && filters.account === app.filters.account) {
      return;
    }
    app.filters = filters;
    writeLocation();
    firstPage();
  }

  function applyFiltersSoon() {
    clearTimeout(filterDelay);
    filterDelay = setTimeout(applyFilters, 300);
  }

  /** Sets the filters (from a card or a dead-letter group) and reloads. */
  function setFilters(filters, { reveal = false } = {}) {
    clearTimeout(filterDelay);
    app.filters = { ...app.filters, ...filters };
    showFilters();
    writeLocation();
    firstPage();
    if (reveal) $('events-title').scrollIntoView({ block: 'start' });
  }

  function firstPage() {
    app.cursor = null;
    app.cursors = [];
    task(loadEvents());
  }

  // -------------------------------------------------------------------------
  // Stats and dead-letter groups.

  function setText(id, text) {
    const node = $(id);
    if (node.textContent !== text) node.textContent = text;
  }

  function renderStats(stats) {
    setText('stat-total', count(stats.total));
    for (const state of STATES) setText(`stat-${state}`, count(stats[state]));
    setText('stat-duplicates', count(stats.duplicates));
    setText('stat-rejected', count(stats.rejected_deliveries));
    const oldest = stats.oldest_pending_age_seconds;
    setText('stat-oldest', typeof oldest === 'number' ? human(oldest) : 'none');
    for (const [span, prefix] of [[stats.last_hour, 'hour'], [stats.last_day, 'day']]) {
      const values = span || {};
      setText(`stat-${prefix}-received`, count(values.received));
      setText(`stat-${prefix}-processed`, count(values.processed));
      setText(`stat-${prefix}-failed`, count(values.failed));
    }
    for (const card of document.querySelectorAll('.state-card')) {
      card.classList.toggle('active', card.dataset.state === app.filters.state);
    }
    renderKinds(stats.by_kind || []);
    renderDeadLetters(stats.dead_letters || []);
  }

  function renderKinds(byKind) {
    const kinds = [...new Set(byKind.map((row) => String(row.kind)))].sort();
    const key = kinds.join('\n');
    if (key === app.kinds) return;
    app.kinds = key;
    const list = $('kinds');
    list.replaceChildren(...kinds.map((kind) => {
      const option = document.createElement('option');
      option.value = kind;
      return option;
    }));
  }

  function renderDeadLetters(groups) {
    const body = $('dead-letters-body');
    $('dead-empty').hidden = groups.length > 0;
    $('dead-letters').hidden = groups.length === 0;
    const rows = groups.map((group) => {
      const row = el('tr', 'clickable');
      row.dataset.kind = String(group.kind);
      row.dataset.errorClass = String(group.error_class);
      row.dataset.testid = 'dead-letter-group';
      const kind = el('td');
      const button = el('button', 'link', group.kind);
      button.type = 'button';
      button.title = `Show the dead letters of kind ${group.kind}`;
      kind.append(button);
      row.append(kind, el('td', 'mono', group.error_class), el('td', 'num', count(group.count)));
      return row;
    });
    const signature = rows.map((row) => row.textContent).join('\n');
    if (body.dataset.signature === signature) return;
    body.dataset.signature = signature;
    body.replaceChildren(...rows);
  }

  function onDeadLetterClick(event) {
    const row = event.target.closest('tr');
    if (!row || !row.dataset.kind) return;
    setFilters({ state: 'dead_letter', kind: row.dataset.kind }, { reveal: true });
  }

  async function loadStats() {
    const seq = ++app.statsSeq;
    const stats = await api('/api/webhook-events/stats');
    if (seq === app.statsSeq) renderStats(stats);
  }

  // -------------------------------------------------------------------------
  // The event list.

  const COLUMNS = ['ID', 'Kind', 'Account', 'State', 'Attempt', 'Created', 'Next run', 'Last error'];

  function eventRow(event) {
    const row = el('tr', 'event-row');
    row.dataset.id = String(event.id);
    row.dataset.state = String(event.state);
    row.dataset.testid = 'event-row';
    row.tabIndex = 0;
    const error = event.last_error ? truncate(event.last_error, ERROR_PREVIEW) : '';
    const next = nextRun(event);
    const cells = [
      el('td', 'col-id num mono', event.id),
      el('td', 'col-kind kind', event.kind),
      el('td', 'col-account mono account', event.account_id),
      el('td', 'col-state state'),
      el('td', 'col-attempt num', `${event.attempt}/${event.max_attempts}`),
      el('td', 'col-created time', shortTime(event.created_at)),
      el('td', 'col-next time', next || '—'),
      el('td', 'col-error error', error || '—'),
    ];
    cells[3].append(badge(event.state));
    cells[5].title = event.created_at || '';
    if (next) cells[6].title = event.run_at;
    else cells[6].classList.add('blank', 'muted');
    if (event.last_error) {
      cells[7].title = event.last_error_class ? `${event.last_error_class}: ${event.last_error}` : event.last_error;
    } else {
      cells[7].classList.add('blank', 'muted');
    }
    cells.forEach((cell, index) => {
      cell.dataset.label = COLUMNS[index];
    });
    row.append(...cells);
    row.dataset.signature = `${cells.map((cell) => `${cell.textContent}\u0001${cell.title}`).join('\u0002')}`;
    return row;
  }

  /** Shows a page of events: rows that did not change are kept as they are, and so is the scroll position. */
  function renderEvents(page) {
    const scrollX = window.scrollX;
    const scrollY = window.scrollY;
    const body = $('events-body');
    const existing = new Map();
    for (const row of body.children) existing.set(row.dataset.id, row);
    const rows = (page.events || []).map((event) => {
      const fresh = eventRow(event);
      const old = existing.get(fresh.dataset.id);
      if (old && old.dataset.signature === fresh.dataset.signature) return old;
      return fresh;
    });
    const same = rows.length === body.children.length && rows.every((row, index) => body.children[index] === row);
    if (!same) body.replaceChildren(...rows);
    $('events-empty').hidden = rows.length > 0;
    $('events').classList.toggle('is-empty', rows.length === 0);
    app.next = page.next === null || page.next === undefined ? null : page.next;
    const pageNumber = app.cursors.length + 1;
    const total = typeof page.total === 'number' ? page.total : null;
    const shown = rows.length;
    setText('events-count', total === null ? plural(shown, 'event', 'events') : `${count(shown)} shown of ${plural(total, 'matching event', 'matching events')}`);
    setText('page-label', `page ${pageNumber}`);
    $('page-newer').disabled = app.cursors.length === 0;
    $('page-older').disabled = app.next === null;
    if (window.scrollY !== scrollY || window.scrollX !== scrollX) window.scrollTo(scrollX, scrollY);
  }

  async function loadEvents() {
    const seq = ++app.listSeq;
    const page = await api(`/api/webhook-events${query({ ...filterParams(), limit: PAGE_SIZE, before: app.cursor })}`);
    if (seq === app.listSeq) renderEvents(page);
  }

  function olderPage() {
    if (app.next === null) return;
    app.cursors.push(app.cursor);
    app.cursor = app.next;
    task(loadEvents().then(() => $('events-title').scrollIntoView({ block: 'start' })));
  }

  function newerPage() {
    if (app.cursors.length === 0) return;
    app.cursor = app.cursors.pop();
    task(loadEvents().then(() => $('events-title').scrollIntoView({ block: 'start' })));
  }

  function onRowActivate(event) {
    if (event.type === 'keydown' && event.key !== 'Enter' && event.key !== ' ') return;
    const row = event.target.closest('tr.event-row');
    if (!row) return;
    if (event.type === 'keydown') event.preventDefault();
    openEvent(Number(row.dataset.id));
  }

  // -------------------------------------------------------------------------
  // Refreshing.

  function stopTimer() {
    clearTimeout(app.timer);
    app.timer = null;
  }

  function schedule() {
    stopTimer();
    if (app.paused || !app.token) return;
    app.timer = setTimeout(tick, app.interval * 1000);
  }

  async function tick() {
    app.timer = null;
    if (!document.hidden) await refresh();
    schedule();
  }

  /** Re-reads the stats, the dead-letter groups and the page shown (the same cursor), in place. */
  function refresh() {
    if (app.refreshing) return app.refreshing;
    app.refreshing = (async () => {
      const results = await Promise.allSettled([loadStats(), loadEvents()]);
      const failed = results.filter((result) => result.status === 'rejected');
      if (failed.length === 0) {
        setText('updated', `updated ${clock(new Date())}`);
        $('updated').classList.remove('stale');
        if (app.refreshError) {
          app.refreshError = false;
          clearStatus();
        }
      } else if (app.token) {
        app.refreshError = true;
        $('updated').classList.add('stale');
        showStatus(`Refresh failed: ${describe(failed[0].reason)}`, 'error');
      }
    })().finally(() => {
      app.refreshing = null;
    });
    return app.refreshing;
  }

  /** A refresh that starts after a change: one already under way may have read the inbox before it. */
  async function refreshAfterChange() {
    if (app.refreshing) await app.refreshing;
    await refresh();
  }

  function showRefreshState() {
    $('auto-refresh').checked = !app.paused;
    $('refresh-label').textContent = app.paused ? 'Auto-refresh paused' : `Auto-refresh every ${human(app.interval)}`;
    document.body.classList.toggle('paused', app.paused);
  }

  function onRefreshSwitch() {
    app.paused = !$('auto-refresh').checked;
    showRefreshState();
    if (app.paused) {
      stopTimer();
    } else {
      task(refresh().then(schedule));
    }
  }

  function onVisibility() {
    if (!document.hidden && !app.paused && app.token && app.started) {
      task(refresh().then(schedule));
    }
  }

  // -------------------------------------------------------------------------
  // One event.

  function metaList(target, pairs) {
    const nodes = [];
    for (const [label, value, wide] of pairs) {
      const item = el('div', wide ? 'meta-item meta-wide' : 'meta-item');
      const term = el('dt', '', label);
      const data = el('dd');
      if (value instanceof Node) data.append(value);
      else data.textContent = value === null || value === undefined || value === '' ? '—' : String(value);
      item.append(term, data);
      nodes.push(item);
    }
    target.replaceChildren(...nodes);
  }

  function timeValue(value) {
    if (!value) return '—';
    const span = el('span', '', fullTime(value));
    span.title = value;
    return span;
  }

  function renderDetailMeta(event) {
    $('event-title').textContent = `Event ${event.id}`;
    const state = $('detail-state');
    state.className = `badge state-${STATES.includes(event.state) ? event.state : 'unknown'}`;
    state.textContent = STATE_LABELS[event.state] || event.state;
    state.dataset.state = event.state;
    metaList($('event-meta'), [
      ['Kind', event.kind],
      ['Account', event.account_id],
      ['Attempt', `${event.attempt} of ${event.max_attempts}`],
      ['Dedup key', event.dedup_key, true],
      ['Container', event.container],
      ['Created', timeValue(event.created_at)],
      ['Updated', timeValue(event.updated_at)],
      ['Finalized', timeValue(event.finalized_at)],
      ['Next run', event.state === 'pending' || event.state === 'failed' ? `${fullTime(event.run_at)} (${nextRun(event)})` : '—'],
      ['Held by', event.locked_by],
      ['Duplicates', count(event.duplicates)],
      ['Last error class', event.last_error_class],
      ['Last error', event.last_error, true],
    ]);
    const processing = event.state === 'processing';
    $('event-retry').disabled = !isWrite();
    $('event-delete').disabled = !isWrite() || processing;
    $('event-delete').title = processing ? 'A worker holds it: it cannot be deleted now' : '';
  }

  function renderDelivery(delivery) {
    if (!delivery) {
      metaList($('delivery-meta'), [['Delivery', 'not kept any more']]);
      return;
    }
    metaList($('delivery-meta'), [
      ['Delivery', delivery.id],
      ['Received', timeValue(delivery.received_at)],
      ['Path', delivery.path],
      ['App', delivery.app],
      ['Secret index', delivery.secret_index],
      ['Items', delivery.items],
      ['Duplicates', delivery.duplicates],
      ['Size', typeof delivery.size === 'number' ? plural(delivery.size, 'byte', 'bytes') : delivery.size],
      ['Rejected', delivery.rejected_reason, Boolean(delivery.rejected_reason)],
    ]);
  }

  function renderAttempts(attempts) {
    const rows = attempts.map((attempt) => {
      const row = el('tr');
      row.dataset.testid = 'attempt-row';
      const cells = [
        el('td', 'num', attempt.attempt),
        el('td', 'mono', attempt.worker),
        el('td', 'time', fullTime(attempt.started_at)),
        el('td', 'num', millis(attempt.duration_ms)),
        el('td', 'mono error-class', attempt.error_class),
        el('td', 'error-full', attempt.error),
      ];
      cells[2].title = attempt.started_at || '';
      ['#', 'Worker', 'Started', 'Duration', 'Error class', 'Error'].forEach((label, index) => {
        cells[index].dataset.label = label;
      });
      row.append(...cells);
      return row;
    });
    $('attempts-body').replaceChildren(...rows);
    $('attempts').hidden = rows.length === 0;
    $('attempts-empty').hidden = rows.length > 0;
  }

  function renderDetail(detail) {
    renderDetailMeta(detail);
    let pretty;
    try {
      pretty = JSON.stringify(detail.payload, null, 2);
    } catch (_) {
      pretty = String(detail.payload);
    }
    $('payload-view').textContent = pretty === undefined ? '(no item)' : pretty;
    renderDelivery(detail.delivery);
    renderAttempts(Array.isArray(detail.attempts) ? detail.attempts : []);
    if (app.raw.url !== detail.raw_url) {
      app.raw = { url: detail.raw_url || null, text: null, loading: false };
      $('raw-view').textContent = '';
      $('raw-info').textContent = '';
    }
    if (!$('panel-raw').hidden) loadRaw();
  }

  function selectTab(name) {
    const raw = name === 'raw';
    $('tab-item').setAttribute('aria-selected', String(!raw));
    $('tab-raw').setAttribute('aria-selected', String(raw));
    $('tab-item').tabIndex = raw ? -1 : 0;
    $('tab-raw').tabIndex = raw ? 0 : -1;
    $('panel-item').hidden = raw;
    $('panel-raw').hidden = !raw;
    if (raw) loadRaw();
  }

  function onTabKey(event) {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    event.preventDefault();
    const raw = $('panel-raw').hidden;
    selectTab(raw ? 'raw' : 'item');
    $(raw ? 'tab-raw' : 'tab-item').focus();
  }

  /** The delivery's exact bytes, shown as UTF-8 text (invalid bytes as U+FFFD). */
  function loadRaw() {
    const raw = app.raw;
    if (!raw.url) {
      $('raw-info').textContent = 'The delivery is not kept any more.';
      return;
    }
    if (raw.text !== null || raw.loading) return;
    raw.loading = true;
    $('raw-info').textContent = 'Loading the delivery…';
    task(api(raw.url, { bytes: true }).then((bytes) => {
      if (app.raw !== raw) return;
      raw.text = new TextDecoder('utf-8').decode(bytes);
      $('raw-view').textContent = raw.text;
      $('raw-info').textContent = `${plural(bytes.length, 'byte', 'bytes')}, exactly as received.`;
    }, (error) => {
      if (app.raw !== raw) return;
      $('raw-info').textContent = `The delivery could not be read: ${describe(error)}`;
    }).finally(() => {
      raw.loading = false;
    }), $('dialog-status'));
  }

  function resetDialog(id) {
    $('event-title').textContent = `Event ${id}`;
    $('detail-state').textContent = '';
    $('detail-state').className = 'badge';
    $('event-meta').replaceChildren();
    $('delivery-meta').replaceChildren();
    $('attempts-body').replaceChildren();
    $('attempts-empty').hidden = true;
    $('payload-view').textContent = 'Loading…';
    $('raw-view').textContent = '';
    $('raw-info').textContent = '';
    app.raw = { url: null, text: null, loading: false };
    $('event-retry').disabled = true;
    $('event-delete').disabled = true;
    clearStatus($('dialog-status'));
    selectTab('item');
  }

  function openEvent(id) {
    const dialog = $('event-dialog');
    const seq = ++app.detailSeq;
    app.detail = null;
    dialog.dataset.id = String(id);
    resetDialog(id);
    if (!dialog.open) dialog.showModal();
    task(api(`/api/webhook-events/${encodeURIComponent(id)}`).then((detail) => {
      if (seq !== app.detailSeq) return;
      app.detail = detail;
      renderDetail(detail);
    }, (error) => {
      if (seq !== app.detailSeq) return;
      $('payload-view').textContent = '';
      showStatus(describe(error), 'error', $('dialog-status'));
    }), $('dialog-status'));
  }

  function closeEvent() {
    app.detailSeq += 1;
    app.detail = null;
    const dialog = $('event-dialog');
    if (dialog.open) dialog.close();
  }

  async function retryEvent() {
    const detail = app.detail;
    if (!detail || !isWrite()) return;
    const button = $('event-retry');
    button.disabled = true;
    showStatus('Queueing again…', 'info', $('dialog-status'));
    try {
      const answer = await api(`/api/webhook-events/${encodeURIComponent(detail.id)}/retry`, { method: 'POST' });
      if (app.detail && app.detail.id === detail.id && answer && answer.event) {
        Object.assign(app.detail, answer.event);
        renderDetailMeta(app.detail);
      }
      showStatus(answer && answer.message ? answer.message : 'Queued again.', 'ok', $('dialog-status'));
      await refreshAfterChange();
    } catch (error) {
      showStatus(describe(error), 'error', $('dialog-status'));
    } finally {
      button.disabled = !isWrite();
    }
  }

  async function deleteEvent() {
    const detail = app.detail;
    if (!detail || !isWrite()) return;
    // The dedup record stays: a late repeat from Meta is still a duplicate.
    if (!window.confirm(`Delete event ${detail.id} (${detail.kind})? This cannot be undone.`)) return;
    const button = $('event-delete');
    button.disabled = true;
    try {
      const answer = await api(`/api/webhook-events/${encodeURIComponent(detail.id)}`, { method: 'DELETE' });
      closeEvent();
      showStatus(answer && answer.message ? answer.message : `Event ${detail.id} deleted.`, 'ok');
      await refreshAfterChange();
    } catch (error) {
      showStatus(describe(error), 'error', $('dialog-status'));
      button.disabled = !isWrite();
    }
  }

  // -------------------------------------------------------------------------
  // Bulk retry of the filter shown.

  function filterDescription(filters) {
    const parts = [];
    if (filters.status) parts.push(`state ${STATE_LABELS[filters.status] || filters.status}`);
    if (filters.eventType) parts.push(`kind ${filters.eventType}`);
    if (filters.account) parts.push(`account ${filters.account}`);
    return parts.length ? `Events with ${parts.join(', ')}.` : 'Every event: no filter is set.';
  }

  function bulkBody(dryRun) {
    const body = {};
    for (const [key, value] of Object.entries(filterParams())) if (value) body[key] = value;
    body.dry_run = dryRun;
    return body;
  }

  async function startBulk() {
    if (!isWrite()) return;
    const button = $('bulk-retry');
    button.disabled = true;
    showStatus('Counting the matching events…', 'info');
    try {
      const body = bulkBody(true);
      const answer = await api('/api/webhook-events/retry', { method: 'POST', body });
      clearStatus();
      const queueable = Math.max(0, (answer.matched || 0) - (answer.skipped || 0));
      app.bulk = { ...body, dry_run: false };
      $('bulk-filter').textContent = filterDescription(body);
      const skipped = answer.skipped ? ` ${count(answer.skipped)} skipped (held by a worker or already waiting).` : '';
      $('bulk-text').textContent = queueable > 0
        ? `Queue ${plural(queueable, 'event', 'events')} again?${skipped}`
        : `Nothing to queue again: ${plural(answer.matched || 0, 'event matches', 'events match')}.${skipped}`;
      $('bulk-text').dataset.count = String(queueable);
      $('bulk-confirm').disabled = queueable === 0;
      $('bulk-confirm').textContent = queueable > 0 ? `Queue ${count(queueable)} again` : 'Queue again';
      $('bulk-dialog').showModal();
    } catch (error) {
      showStatus(describe(error), 'error');
    } finally {
      button.disabled = !isWrite();
    }
  }

  async function confirmBulk() {
    const body = app.bulk;
    if (!body) return;
    app.bulk = null;
    $('bulk-dialog').close();
    showStatus('Queueing again…', 'info');
    try {
      const answer = await api('/api/webhook-events/retry', { method: 'POST', body });
      const skipped = answer.skipped ? `; ${count(answer.skipped)} skipped` : '';
      showStatus(`Queued ${plural(answer.queued || 0, 'event', 'events')} again${skipped}.`, 'ok');
      await refreshAfterChange();
    } catch (error) {
      showStatus(describe(error), 'error');
    }
  }

  function cancelBulk() {
    app.bulk = null;
    $('bulk-dialog').close();
  }

  // -------------------------------------------------------------------------
  // Access and start.

  function showAccess(access) {
    app.access = access === 'write' ? 'write' : 'read';
    const label = $('access');
    label.textContent = app.access === 'write' ? 'read and write' : 'read only';
    label.className = `access access-${app.access}`;
    label.hidden = false;
    document.body.classList.toggle('read-only', !isWrite());
    for (const node of document.querySelectorAll('.write-only button, button.write-only')) {
      node.disabled = !isWrite();
    }
  }

  async function start() {
    try {
      const access = await api('/api/access');
      showAccess(access && access.access);
    } catch (error) {
      if (error.status !== 401) showStatus(`The dashboard could not start: ${describe(error)}`, 'error');
      return;
    }
    $('app').hidden = false;
    $('refresh-controls').hidden = false;
    app.started = true;
    showFilters();
    await refresh();
    schedule();
  }

  /** Runs a promise, showing its error in a status line instead of throwing it. */
  function task(promise, target = $('status')) {
    Promise.resolve(promise).catch((error) => {
      if (!(error instanceof ApiError && error.status === 401)) showStatus(describe(error), 'error', target);
    });
  }

  function bind() {
    $('token-form').addEventListener('submit', onTokenSubmit);
    $('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      applyFilters();
    });
    $('filter-state').addEventListener('change', applyFilters);
    for (const id of ['filter-kind', 'filter-account']) {
      $(id).addEventListener('input', applyFiltersSoon);
      $(id).addEventListener('change', applyFilters);
    }
    $('filter-clear').addEventListener('click', () => setFilters({ state: '', kind: '', account: '' }));
    $('bulk-retry').addEventListener('click', () => task(startBulk()));
    $('bulk-confirm').addEventListener('click', () => task(confirmBulk()));
    $('bulk-cancel').addEventListener('click', cancelBulk);
    $('bulk-dialog').addEventListener('close', () => {
      app.bulk = null;
    });
    for (const card of document.querySelectorAll('.state-card')) {
      card.addEventListener('click', () => setFilters({ state: card.dataset.state }, { reveal: true }));
    }
    $('dead-letters-body').addEventListener('click', onDeadLetterClick);
    $('events-body').addEventListener('click', onRowActivate);
    $('events-body').addEventListener('keydown', onRowActivate);
    $('page-older').addEventListener('click', olderPage);
    $('page-newer').addEventListener('click', newerPage);
    $('auto-refresh').addEventListener('change', onRefreshSwitch);
    $('refresh-now').addEventListener('click', () => task(refresh().then(schedule)));
    $('event-close').addEventListener('click', closeEvent);
    $('event-dialog').addEventListener('close', () => {
      app.detailSeq += 1;
      app.detail = null;
    });
    // A click on the backdrop (outside the dialog's box) closes it.
    $('event-dialog').addEventListener('click', (event) => {
      if (event.target !== $('event-dialog')) return;
      const box = $('event-dialog').getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) closeEvent();
    });
    $('tab-item').addEventListener('click', () => selectTab('item'));
    $('tab-raw').addEventListener('click', () => selectTab('raw'));
    $('tab-item').addEventListener('keydown', onTabKey);
    $('tab-raw').addEventListener('keydown', onTabKey);
    $('event-retry').addEventListener('click', () => task(retryEvent(), $('dialog-status')));
    $('event-delete').addEventListener('click', () => task(deleteEvent(), $('dialog-status')));
    document.addEventListener('visibilitychange', onVisibility);
  }

  function main() {
    bind();
    readLocation();
    showRefreshState();
    showFilters();
    app.token = readToken();
    if (!app.token) {
      askToken();
      return;
    }
    task(start());
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', main);
  } else {
    main();
  }
})();
