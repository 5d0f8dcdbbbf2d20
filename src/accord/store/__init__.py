"""Storage: SQLAlchemy 2 tables, Alembic migrations, one repository per aggregate. Repositories
return domain objects, never ORM rows."""
