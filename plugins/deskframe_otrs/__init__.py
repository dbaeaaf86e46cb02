"""Reference importer of OTRS/Znuny databases: `deskframe import otrs --source URL`."""
