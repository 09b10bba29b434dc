// Bytewatchers ID hosted pages: passkey controls (sign in, add one, use one as a second step).
// Each control is a form with [data-passkey]; without JavaScript it shows only its note that
// passkeys need JavaScript. With it, the button appears where the browser can do WebAuthn
// (else the "cannot" note does); a press asks the server for options (the challenge is kept
// for this page's sign-in or session), runs the ceremony through @simplewebauthn/browser
// (static/webauthn.js, loaded first) and posts the answer with the form. On the sign-in page
// the browser's passkey autofill (conditional mediation) is started as well where supported.
(function () {
  'use strict';
  var W = window.SimpleWebAuthnBrowser;
  var forms = document.querySelectorAll('form[data-passkey]');
  for (var i = 0; i < forms.length; i++) setUp(forms[i]);

  function setUp(form) {
    var mode = form.getAttribute('data-passkey');
    var button = form.querySelector('.pk-start');
    var status = form.querySelector('.pk-status');
    var noScript = form.querySelector('.pk-nojs');
    if (noScript) noScript.hidden = true;
    if (!W || !W.browserSupportsWebAuthn()) {
      var cannot = form.querySelector('.pk-unsupported');
      if (cannot) cannot.hidden = false;
      return;
    }
    button.hidden = false;
    var busy = false;
    // Enter in the name field starts the ceremony instead of posting an empty answer.
    form.addEventListener('submit', function (event) {
      if (form.elements['response'].value) return;
      event.preventDefault();
      button.click();
    });
    button.addEventListener('click', function () {
      if (busy) return;
      busy = true;
      status.textContent = '';
      run(form, mode, false).then(null, function (err) {
        busy = false;
        report(form, status, err);
      });
    });
    if (mode === 'sign-in') {
      W.browserSupportsWebAuthnAutofill().then(function (yes) {
        // The autofill request waits quietly until the person picks a passkey in the username
        // field's suggestions; a press on the button replaces it (and aborts it: ignored here).
        if (yes && !busy) run(form, mode, true).then(null, function () {});
      });
    }
  }

  function run(form, mode, autofill) {
    var body = new URLSearchParams();
    body.set('_csrf', form.elements['_csrf'].value);
    // Adding a passkey needs the owner's password first (when the account has one): sent with the options.
    if (form.elements['current_password']) body.set('current_password', form.elements['current_password'].value);
    return fetch(form.getAttribute('data-options'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    })
      .then(function (res) {
        if (res.ok) return res.json();
        // A refusal the server explains (a wrong password, a stale sign-in): its own words.
        return res.json().then(
          function (body) {
            var err = new Error('options ' + res.status);
            if (body && typeof body.message === 'string') err.said = body.message;
            throw err;
          },
          function () {
            throw new Error('options ' + res.status);
          },
        );
      })
      .then(function (optionsJSON) {
        return mode === 'register'
          ? W.startRegistration({ optionsJSON: optionsJSON })
          : W.startAuthentication({ optionsJSON: optionsJSON, useBrowserAutofill: autofill });
      })
      .then(function (answer) {
        form.elements['response'].value = JSON.stringify(answer);
        var remember = document.getElementById('remember');
        if (form.elements['remember'] && remember) form.elements['remember'].value = remember.checked ? 'yes' : '';
        form.submit();
      });
  }

  function report(form, status, err) {
    if (err && err.said) {
      status.textContent = err.said;
      return;
    }
    var name = err && err.name;
    // NotAllowedError: cancelled, timed out, or no passkey chosen; InvalidStateError (adding):
    // this authenticator already holds one of this account's passkeys. Others: it did not work.
    var key = name === 'NotAllowedError' || name === 'AbortError' ? 'data-cancelled' : name === 'InvalidStateError' ? 'data-duplicate' : 'data-failed';
    status.textContent = form.getAttribute(key) || form.getAttribute('data-failed');
  }
})();
