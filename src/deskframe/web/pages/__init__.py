"""The agent pages of ``deskframe serve`` (and the frame the customer portal shares).

* :mod:`.render` - the Jinja2 environment (autoescape, gettext of the request's language,
  Babel date and money filters in the desk's time zone);
* :mod:`.locale` - the request's language (the user's setting, else ``Accept-Language``);
* :mod:`.forms` - form bodies with a size cap and the CSRF token checked;
* :mod:`.session` - who is logged in (a redirect to ``/login`` when nobody is);
* :mod:`.routes` - the routes :func:`deskframe.web.create_app` mounts.
"""
