/*
 * Runs on the H5P content origin, in the player page the lesson frames
 * (courses/h5p/views.py). Starts h5p-standalone on the package and forwards
 * the activity's results (its own and its parts') to the lesson page, and
 * only to the site origin the server put in the configuration.
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('h5p-player-config').textContent);
  var container = document.getElementById('h5p-container');
  var status = document.getElementById('h5p-player-status');

  function send(message) {
    message.blockId = config.blockId;
    window.parent.postMessage(message, config.parentOrigin);
  }

  // Results (docs/h5p.md, "Completion rules"): statements with a result
  // whose verb is answered, completed, passed or failed, about the activity
  // itself or one of its parts (object id + "?subContentId="), which is how
  // containers such as Course Presentation report their questions. The
  // server checks them again and decides what counts; this only spares it
  // the rest (interacted, progressed, attempted...).
  var RESULT_VERBS = ['answered', 'completed', 'passed', 'failed'].map(function (verb) {
    return 'http://adlnet.gov/expapi/verbs/' + verb;
  });

  function isResult(statement) {
    var id = statement && statement.object && statement.object.id;
    return Boolean(
      typeof id === 'string' &&
      (id === config.activityIri || id.indexOf(config.activityIri + '?subContentId=') === 0) &&
      statement.verb && RESULT_VERBS.indexOf(statement.verb.id) !== -1 &&
      statement.result && typeof statement.result === 'object'
    );
  }

  // Each statement gets an id of its own before it leaves, so a retried
  // request is recognised by the server and stored once.
  function withId(statement) {
    if (!statement.id && window.crypto && typeof window.crypto.randomUUID === 'function') {
      statement.id = window.crypto.randomUUID();
    }
    return statement;
  }

  // The player is a third-party frame on the lesson page (another site), and
  // browsers that block third-party cookies (private windows, Safari) also
  // refuse it localStorage: the H5P core then throws. An in-memory store
  // keeps the activity working; nothing the platform needs lives there.
  function memoryStorage() {
    var data = Object.create(null);
    return {
      getItem: function (key) { return key in data ? data[key] : null; },
      setItem: function (key, value) { data[key] = String(value); },
      removeItem: function (key) { delete data[key]; },
      clear: function () { data = Object.create(null); },
      key: function (index) { var keys = Object.keys(data); return index < keys.length ? keys[index] : null; },
      get length() { return Object.keys(data).length; }
    };
  }

  ['localStorage', 'sessionStorage'].forEach(function (name) {
    try {
      window[name].getItem('bridgeline');
    } catch (denied) {
      try {
        Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
      } catch (ignored) { /* the core will report what it cannot do */ }
    }
  });

  function reportHeight() {
    send({ type: 'bridgeline.resize', height: Math.ceil(document.documentElement.scrollHeight) });
  }

  new H5PStandalone.H5P(container, {
    h5pJsonPath: config.h5pJsonPath,
    frameJs: config.frameJs,
    frameCss: config.frameCss,
    embedType: 'div',
    xAPIObjectIRI: config.activityIri,
    frame: false,
    copyright: false,
    export: false,
    embed: false,
    icon: false,
    fullScreen: false
  }).then(function () {
    status.hidden = true;
    H5P.externalDispatcher.on('xAPI', function (event) {
      var statement = event.data && event.data.statement;
      if (isResult(statement)) {
        send({ type: 'bridgeline.xapi', statement: withId(statement) });
      }
    });
    if (window.ResizeObserver) {
      new ResizeObserver(reportHeight).observe(document.body);
    }
    reportHeight();
    send({ type: 'bridgeline.ready' });
  }).catch(function (error) {
    status.textContent = status.getAttribute('data-failed');
    send({ type: 'bridgeline.error' });
    throw error;
  });
})();
