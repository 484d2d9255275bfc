"""Server-rendered pages (Jinja2), built on the services in the domain packages."""
