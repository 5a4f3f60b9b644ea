/*
 * Lesson page side of the H5P player (courses/templates/courses/blocks/
 * h5p_block.html). Each player runs in a sandboxed iframe on the separate
 * content origin and posts {type, blockId, ...} messages to this page.
 * A message counts only if it comes from that origin *and* from that very
 * iframe's window; the block id is then the iframe's own, whatever the
 * message says. Statements are POSTed to the learning app, which decides
 * what they are worth (a client's score is a claim, not the truth).
 *
 * For tests and other scripts, each accepted statement is announced as a
 * `bridgeline:xapi` event on the block (bubbling), and the server's answer
 * as `bridgeline:xapi-saved` / `bridgeline:xapi-failed` (detail.status).
 */
(function () {
  'use strict';

  if (window.bridgelineH5P) {
    return; // one listener however many blocks load this script
  }
  window.bridgelineH5P = { statements: [] };

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-h5p-frame]'));
  }

  function frameFor(event) {
    return frames().find(function (el) {
      var iframe = el.querySelector('iframe');
      return iframe && event.source === iframe.contentWindow &&
        event.origin === el.getAttribute('data-content-origin');
    });
  }

  function csrfToken(el) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return el.getAttribute('data-csrf-token') || (match ? decodeURIComponent(match[1]) : '');
  }

  function announce(el, name, detail) {
    el.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail }));
  }

  function setStatus(el, key) {
    el.querySelector('.h5p-status').textContent = el.getAttribute('data-status-' + key) || '';
  }

  // The server's answer says whether the block is now done and how far the
  // course is: the lesson page shows both without a reload.
  function showProgress(el, answer) {
    if (!answer || typeof answer !== 'object') {
      return;
    }
    var section = el.closest('[data-block-id]:not([data-h5p-frame])');
    if (answer.block_completed && section && section.getAttribute('data-done') !== 'true') {
      section.setAttribute('data-done', 'true');
      var label = document.createElement('p');
      label.className = 'block-done';
      label.textContent = el.getAttribute('data-status-done') || '';
      section.insertBefore(label, section.firstChild);
    }
    var progress = answer.progress;
    if (progress && typeof progress.text === 'string') {
      Array.prototype.forEach.call(document.querySelectorAll('[data-course-progress]'), function (node) {
        node.textContent = progress.text;
      });
    }
  }

  function save(el, statement) {
    var blockId = el.getAttribute('data-block-id');
    var url = el.getAttribute('data-xapi-url');
    if (!url) {
      setStatus(el, 'failed');
      announce(el, 'bridgeline:xapi-failed', { blockId: blockId, status: 0 });
      return;
    }
    setStatus(el, 'saving');
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(el) },
      body: JSON.stringify({ block_id: blockId, lesson_key: el.getAttribute('data-lesson-key'), statement: statement })
    }).then(function (response) {
      if (response.ok) {
        setStatus(el, 'saved');
        return response.json().then(function (answer) {
          showProgress(el, answer);
          announce(el, 'bridgeline:xapi-saved', { blockId: blockId, status: response.status, answer: answer });
        }, function () {
          announce(el, 'bridgeline:xapi-saved', { blockId: blockId, status: response.status });
        });
      } else {
        setStatus(el, response.status === 401 || response.status === 403 ? 'signed-out' : 'failed');
        announce(el, 'bridgeline:xapi-failed', { blockId: blockId, status: response.status });
      }
    }, function () {
      setStatus(el, 'failed');
      announce(el, 'bridgeline:xapi-failed', { blockId: blockId, status: 0 });
    });
  }

  window.addEventListener('message', function (event) {
    var el = frameFor(event);
    var data = event.data;
    if (!el || !data || typeof data !== 'object' || data.blockId !== el.getAttribute('data-block-id')) {
      return;
    }
    if (data.type === 'bridgeline.resize' && typeof data.height === 'number' && data.height > 0) {
      el.querySelector('iframe').style.height = Math.min(Math.ceil(data.height), 4000) + 'px';
    } else if (data.type === 'bridgeline.xapi' && data.statement && typeof data.statement === 'object') {
      window.bridgelineH5P.statements.push({ blockId: data.blockId, statement: data.statement });
      announce(el, 'bridgeline:xapi', { blockId: data.blockId, statement: data.statement });
      save(el, data.statement);
    }
  });
})();
