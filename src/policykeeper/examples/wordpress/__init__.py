"""WordPress as a service database, set up and driven by WordPress itself.

ALLIN STUDIO's site runs on WordPress: `site` installs Debian's package into a MariaDB
database with WordPress's own installer and fills it with its own functions (content from
`allin`); `privacy` runs WordPress core's personal-data exporter and eraser for one person, so
what they find and erase can be compared with what the person really has in the database.
"""
