// The client's homework page as an app: shows the reminders a push brings, and opens the
// page when one is tapped. Scoped to this client's page only.
"use strict";
var PAGE = "{{ page|escapejs }}";
var ICON = "{{ icon|escapejs }}";{% load i18n %}{% translate "Your homework" as title %}{% translate "A few minutes whenever suits you." as body %}
var TITLE = "{{ title|escapejs }}";
var BODY = "{{ body|escapejs }}";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || TITLE, {
    body: data.body || BODY,
    icon: ICON,
    badge: ICON,
    data: {url: data.url || PAGE}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || PAGE;
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url.indexOf(self.registration.scope) === 0 && "focus" in windows[i]) {
        return windows[i].focus();
      }
    }
    return self.clients.openWindow(url);
  }));
});
