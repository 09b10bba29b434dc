// Bytewatchers ID hosted pages: a "show password" button on every password field and a notice
// while Caps Lock is on. It only adds to the page: without JavaScript the fields work as they
// are. Its words come from the field's data- attributes, already in the page's language.
(function () {
  'use strict';
  var fields = document.querySelectorAll('input[type=password][data-show]');
  for (var i = 0; i < fields.length; i++) setUp(fields[i]);

  function setUp(input) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'linkish pw-toggle';
    button.setAttribute('aria-controls', input.id);
    button.textContent = input.getAttribute('data-show');
    button.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.textContent = input.getAttribute(show ? 'data-hide' : 'data-show');
      input.focus();
    });
    // Present (and empty) from the start: a status region announces what is later put in it.
    var caps = document.createElement('p');
    caps.className = 'caps';
    caps.setAttribute('role', 'status');
    input.insertAdjacentElement('afterend', button);
    button.insertAdjacentElement('afterend', caps);
    function check(event) {
      if (typeof event.getModifierState !== 'function') return;
      caps.textContent = event.getModifierState('CapsLock') ? input.getAttribute('data-caps') : '';
    }
    input.addEventListener('keydown', check);
    input.addEventListener('keyup', check);
    input.addEventListener('blur', function () {
      caps.textContent = '';
    });
  }
})();
