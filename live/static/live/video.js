/* Bridgeline live room: the built-in video, a WebRTC mesh.
 *
 * Every camera goes to every other camera (fine for 2 to 4 people, strained
 * at 6: the server caps the number with LIVE_WEBRTC_MAX_VIDEO). Signalling
 * travels over the room's websocket (docs/live-protocol.md): `rtc.join`,
 * `rtc.joined`, `rtc.left`, and `rtc.signal {to, data}` arriving as
 * `rtc.signal {from, data}`, where data is {description} or {candidate}.
 *
 * Glare (both sides offering at once) is resolved with "perfect
 * negotiation": the peer with the higher participant id is polite and
 * gives way. Candidates trickle (signalling has its own rate bucket on the
 * server). The server caps `data` at 4 KiB, so codecs are narrowed to Opus
 * and VP8 (which every browser has), and a description that is still too
 * big travels deflated: {description: {type, sdp_deflate: base64}}.
 * Frames to and from one peer are handled strictly in order.
 *
 * No media is ever recorded. The camera starts only when the person clicks.
 *
 * Exposes window.BridgelineVideo.create(options); the room script
 * (room.js) owns the socket and passes frames in. The peer connections are
 * also on window.__bridgelineRtc (participant id -> RTCPeerConnection) for
 * the browser tests to read.
 */
(function () {
  "use strict";

  var PLAIN_SDP_MAX = 3500; // bytes of JSON; the server refuses data over 4096

  function el(tag, className) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    return node;
  }

  function toBase64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 1) { text += String.fromCharCode(bytes[i]); }
    return btoa(text);
  }

  function fromBase64(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  async function packDescription(d) {
    var plain = { type: d.type, sdp: d.sdp };
    if (JSON.stringify(plain).length <= PLAIN_SDP_MAX || typeof CompressionStream === "undefined") { return plain; }
    var stream = new Blob([d.sdp]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    var bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    return { type: d.type, sdp_deflate: toBase64(bytes) };
  }

  async function unpackDescription(d) {
    if (typeof d.sdp_deflate !== "string") { return { type: d.type, sdp: d.sdp }; }
    var stream = new Blob([fromBase64(d.sdp_deflate)]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return { type: d.type, sdp: await new Response(stream).text() };
  }

  function preferCodecs(pc) {
    if (typeof RTCRtpReceiver === "undefined" || !RTCRtpReceiver.getCapabilities) { return; }
    pc.getTransceivers().forEach(function (transceiver) {
      if (!transceiver.setCodecPreferences || transceiver.stopped) { return; }
      var kind = (transceiver.receiver && transceiver.receiver.track && transceiver.receiver.track.kind) || null;
      if (!kind) { return; }
      var wanted = kind === "video" ? "video/vp8" : "audio/opus";
      var caps = RTCRtpReceiver.getCapabilities(kind);
      if (!caps) { return; }
      var codecs = caps.codecs.filter(function (c) { return c.mimeType.toLowerCase() === wanted; });
      if (codecs.length) {
        try { transceiver.setCodecPreferences(codecs); } catch (e) { /* keep the browser's list */ }
      }
    });
  }

  function create(options) {
    var config = options.config;
    var t = options.t;
    var send = options.send;           // send(frameObject) -> bool
    var alert = options.alert;         // alert(text)
    var nameOf = options.nameOf;       // nameOf(participantId) -> string
    var peersWithVideo = options.peersWithVideo; // () -> [participantId]
    var youId = function () { return options.you().id; };

    var grid = document.getElementById("live-video-grid");
    var startButton = document.getElementById("live-video-start");
    var micButton = document.getElementById("live-video-mic");
    var camButton = document.getElementById("live-video-cam");
    var leaveButton = document.getElementById("live-video-leave");
    if (!grid || !startButton) { return null; }

    var localStream = null;
    var joined = false;       // the server confirmed our rtc.join
    var wantVideo = false;    // the person turned video on (survives reconnects)
    var peers = new Map();    // participant id -> {id, pc, polite, makingOffer, ignoreOffer, outbox, inbox}
    var tiles = new Map();    // participant id -> li
    window.__bridgelineRtc = new Map();

    function setControls() {
      var on = !!localStream;
      startButton.hidden = on;
      micButton.hidden = !on;
      camButton.hidden = !on;
      leaveButton.hidden = !on;
      if (!on) { return; }
      var audio = localStream.getAudioTracks()[0];
      var video = localStream.getVideoTracks()[0];
      var micOff = !audio || !audio.enabled;
      var camOff = !video || !video.enabled;
      micButton.setAttribute("aria-pressed", micOff ? "true" : "false");
      micButton.textContent = micOff ? t("unmute_mic") : t("mute_mic");
      micButton.disabled = !audio;
      camButton.setAttribute("aria-pressed", camOff ? "true" : "false");
      camButton.textContent = camOff ? t("camera_on") : t("camera_off");
      camButton.disabled = !video;
    }

    function tileFor(id, isLocal) {
      var tile = tiles.get(id);
      if (tile) { return tile; }
      tile = el("li", "live-video-tile" + (isLocal ? " live-video-local" : ""));
      var figure = el("figure");
      var video = el("video");
      video.autoplay = true;
      video.playsInline = true;
      if (isLocal) { video.muted = true; }
      var caption = el("figcaption");
      caption.textContent = isLocal ? t("you_video", { name: nameOf(id) }) : nameOf(id);
      figure.appendChild(video);
      figure.appendChild(caption);
      tile.appendChild(figure);
      grid.appendChild(tile);
      tiles.set(id, tile);
      return tile;
    }

    function removeTile(id) {
      var tile = tiles.get(id);
      if (tile) { tile.remove(); tiles.delete(id); }
    }

    function signal(to, data) {
      send({ type: "rtc.signal", to: to, data: data });
    }

    // Signals to one peer leave in the order they were made, even when a
    // description takes a moment to deflate.
    function signalInOrder(peer, id, make) {
      peer.outbox = peer.outbox.then(make).then(function (data) {
        if (data && peers.get(id) === peer) { signal(id, data); }
      }).catch(function (err) { console.warn("video signal out", err); });
    }

    function sendDescription(peer, id) {
      var d = peer.pc.localDescription;
      if (!d) { return; }
      signalInOrder(peer, id, function () {
        return packDescription(d).then(function (packed) { return { description: packed }; });
      });
    }

    function ensurePeer(id) {
      var peer = peers.get(id);
      if (peer) { return peer; }
      var pc = new RTCPeerConnection({ iceServers: config.ice_servers || [] });
      peer = { id: id, pc: pc, polite: youId() > id, makingOffer: false, ignoreOffer: false, outbox: Promise.resolve(), inbox: Promise.resolve() };
      peers.set(id, peer);
      window.__bridgelineRtc.set(id, pc);

      pc.onnegotiationneeded = async function () {
        try {
          peer.makingOffer = true;
          preferCodecs(pc);
          await pc.setLocalDescription();
          sendDescription(peer, id);
        } catch (err) {
          console.warn("video negotiation", err);
        } finally {
          peer.makingOffer = false;
        }
      };
      pc.onicecandidate = function (event) {
        if (event.candidate) {
          var candidate = event.candidate.toJSON();
          signalInOrder(peer, id, function () { return { candidate: candidate }; });
        }
      };
      pc.ontrack = function (event) {
        var tile = tileFor(id, false);
        var video = tile.querySelector("video");
        var stream = event.streams && event.streams[0];
        if (stream) {
          if (video.srcObject !== stream) { video.srcObject = stream; }
        } else {
          if (!video.srcObject) { video.srcObject = new MediaStream(); }
          video.srcObject.addTrack(event.track);
        }
      };
      pc.onconnectionstatechange = function () {
        if (pc.connectionState === "failed") { pc.restartIce(); }
      };
      if (localStream) {
        localStream.getTracks().forEach(function (track) { pc.addTrack(track, localStream); });
      }
      tileFor(id, false);
      return peer;
    }

    function closePeer(id) {
      var peer = peers.get(id);
      if (peer) {
        peers.delete(id);
        window.__bridgelineRtc.delete(id);
        try { peer.pc.close(); } catch (e) { /* already closed */ }
      }
      removeTile(id);
    }

    function closeAllPeers() {
      Array.from(peers.keys()).forEach(closePeer);
    }

    function onSignal(from, data) {
      if (!joined || !data || typeof data !== "object" || from === youId()) { return; }
      var peer = ensurePeer(from);
      peer.inbox = peer.inbox.then(function () { return handleSignal(peer, data); }).catch(function (err) {
        console.warn("video signal in", err);
      });
    }

    async function handleSignal(peer, data) {
      if (peers.get(peer.id) !== peer) { return; }
      var pc = peer.pc;
      if (data.description) {
        var description = await unpackDescription(data.description);
        var collision = description.type === "offer" && (peer.makingOffer || pc.signalingState !== "stable");
        peer.ignoreOffer = !peer.polite && collision;
        if (peer.ignoreOffer) { return; }
        await pc.setRemoteDescription(description);
        if (description.type === "offer") {
          preferCodecs(pc);
          await pc.setLocalDescription();
          sendDescription(peer, peer.id);
        }
      } else if (data.candidate) {
        try {
          await pc.addIceCandidate(data.candidate);
        } catch (err) {
          if (!peer.ignoreOffer) { throw err; }
        }
      }
    }

    function connectToOthers() {
      peersWithVideo().forEach(function (id) {
        if (id !== youId()) { ensurePeer(id); }
      });
    }

    async function getMedia() {
      var attempts = [
        { audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 } } },
        { audio: false, video: true },
        { audio: true, video: false },
      ];
      var lastError = null;
      for (var i = 0; i < attempts.length; i += 1) {
        try {
          return await navigator.mediaDevices.getUserMedia(attempts[i]);
        } catch (err) {
          lastError = err;
          if (err && (err.name === "NotAllowedError" || err.name === "SecurityError")) { break; }
        }
      }
      throw lastError;
    }

    async function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        alert(t("video_unsupported"));
        return;
      }
      startButton.disabled = true;
      try {
        localStream = await getMedia();
      } catch (err) {
        localStream = null;
        alert(err && err.name === "NotAllowedError" ? t("camera_denied") : t("camera_failed"));
        startButton.disabled = false;
        return;
      }
      startButton.disabled = false;
      var tile = tileFor(youId(), true);
      tile.querySelector("video").srcObject = localStream;
      wantVideo = true;
      setControls();
      send({ type: "rtc.join" });
      micButton.focus();
    }

    function stopLocal() {
      if (localStream) {
        localStream.getTracks().forEach(function (track) { track.stop(); });
      }
      localStream = null;
      removeTile(youId());
    }

    function leave() {
      wantVideo = false;
      joined = false;
      send({ type: "rtc.leave" });
      closeAllPeers();
      stopLocal();
      setControls();
      startButton.focus();
    }

    startButton.addEventListener("click", start);
    leaveButton.addEventListener("click", leave);
    micButton.addEventListener("click", function () {
      var audio = localStream && localStream.getAudioTracks()[0];
      if (audio) { audio.enabled = !audio.enabled; }
      setControls();
    });
    camButton.addEventListener("click", function () {
      var video = localStream && localStream.getVideoTracks()[0];
      if (video) { video.enabled = !video.enabled; }
      setControls();
    });
    setControls();

    return {
      onJoined: function (id) {
        if (id === youId()) {
          if (!localStream) { return; }
          joined = true;
          connectToOthers();
        } else if (joined) {
          ensurePeer(id);
        }
      },
      onLeft: function (id) {
        if (id === youId()) {
          joined = false;
          closeAllPeers();
          return;
        }
        closePeer(id);
      },
      onSignal: onSignal,
      // The server refused rtc.join (room full, or not allowed).
      onRefused: function () {
        wantVideo = false;
        joined = false;
        closeAllPeers();
        stopLocal();
        setControls();
      },
      // The socket dropped: peers are rebuilt after the next welcome.
      onDisconnect: function () {
        joined = false;
        closeAllPeers();
      },
      onWelcome: function () {
        if (wantVideo && localStream) { send({ type: "rtc.join" }); }
      },
      stop: function () {
        wantVideo = false;
        joined = false;
        closeAllPeers();
        stopLocal();
        setControls();
      },
      rename: function () {
        tiles.forEach(function (tile, id) {
          var caption = tile.querySelector("figcaption");
          if (caption) { caption.textContent = id === youId() ? t("you_video", { name: nameOf(id) }) : nameOf(id); }
        });
      },
    };
  }

  window.BridgelineVideo = { create: create };
})();
