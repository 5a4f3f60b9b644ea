/*
 * H5P.BridgelineCheck 1.1: the smallest content type that reports a score.
 * Written by the Bridgeline project for its tests; no third-party H5P code.
 *
 * The H5P core calls `new H5P.BridgelineCheck(params, contentId, extras)`
 * and then `instance.attach($container)`. Clicking the button reports a
 * full score through the core's xAPI helper, which the player forwards to
 * H5P.externalDispatcher.
 */
var H5P = window.H5P = window.H5P || {};

H5P.BridgelineCheck = (function ($, EventDispatcher) {
  'use strict';

  function BridgelineCheck(params, contentId, extras) {
    EventDispatcher.call(this);
    this.params = params || {};
    this.contentId = contentId;
    this.extras = extras || {};
  }

  BridgelineCheck.prototype = Object.create(EventDispatcher.prototype);
  BridgelineCheck.prototype.constructor = BridgelineCheck;

  BridgelineCheck.prototype.attach = function ($container) {
    var self = this;
    var $question = $('<p class="h5p-bridgeline-check__question"></p>')
      .text(self.params.question || '');
    var $button = $('<button type="button" class="h5p-bridgeline-check__button"></button>')
      .text(self.params.buttonLabel || 'Check');

    $button.on('click', function () {
      $button.prop('disabled', true);
      self.triggerXAPIScored(1, 1, 'completed', true, true);
    });

    $container.addClass('h5p-bridgeline-check').empty().append($question, $button);
  };

  return BridgelineCheck;
})(H5P.jQuery, H5P.EventDispatcher);
