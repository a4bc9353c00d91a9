// Reminders on the client's page: the phone's time zone for the form, and "Remind me on
// this phone" (a service worker scoped to this page, and a push subscription sent to us).
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  var zoneField = document.getElementById("id_time_zone");
  if (zoneField && !zoneField.value) { zoneField.value = zone; }

  var box = document.getElementById("phone-reminders");
  if (!box) { return; }
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var status = document.getElementById("push-status");
  var iphone = box.querySelector(".iphone-note");
  var ios = /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  var standalone = (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches) || navigator.standalone === true;
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  // The words come from the page (data-say-*), in the client's language; English if missing.
  function say(text, key) { status.textContent = (key && box.dataset[key]) || text; }
  function showSubscribed(yes) { on.hidden = yes; off.hidden = !yes; }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
    });
  }

  if (!box.dataset.pushKey) { return; }  // this clinic hasn't set up phone notifications
  box.hidden = false;
  if (ios && !standalone) {
    iphone.hidden = false;
    on.hidden = true;
    return;
  }
  if (!supported) {
    on.hidden = true;
    say("This browser can't show reminders from a web page. Email or your calendar will work instead.", "sayUnsupported");
    return;
  }

  var registration = navigator.serviceWorker.register(box.dataset.worker).then(function (reg) {
    box.dataset.worker_ready = "1";
    return reg;
  });
  registration.then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (subscription) { showSubscribed(Boolean(subscription)); })
    .catch(function () { /* no worker, no subscription: the button stays */ });

  on.addEventListener("click", function () {
    say("Asking your phone…", "sayAsking");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        say("Notifications are turned off for this page in your phone's settings. Email or your calendar will work instead.", "sayRefused");
        return null;
      }
      return registration.then(function (reg) {
        return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.pushKey)});
      }).then(function (subscription) {
        var body = subscription.toJSON();
        body.timeZone = zone;
        return post(box.dataset.subscribe, body).then(function (response) {
          return response.json().then(function (answer) {
            if (!response.ok) {
              if (answer.error) { say(answer.error); } else { say("That didn't work. Email or your calendar will work instead.", "sayNoLuck"); }
              return subscription.unsubscribe();
            }
            showSubscribed(true);
            var done = box.dataset.sayDone || "Done: this phone will remind you at {time} on your days.";
            say(done.replace("{time}", answer.at));
            return null;
          });
        });
      });
    }).catch(function () {
      say("Your phone didn't allow it just now. Email or your calendar will work instead.", "sayNotAllowed");
    });
  });

  off.addEventListener("click", function () {
    registration.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (subscription) {
      if (!subscription) { showSubscribed(false); return null; }
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(box.dataset.unsubscribe, {endpoint: endpoint});
      }).then(function () {
        showSubscribed(false);
        say("Stopped: this phone won't remind you any more.", "sayStopped");
      });
    }).catch(function () { say("That didn't work just now. Try again in a moment.", "sayTryAgain"); });
  });
})();
