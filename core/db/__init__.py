"""Database: models, engine/session factory and repositories (SQLAlchemy 2, typed style)."""
