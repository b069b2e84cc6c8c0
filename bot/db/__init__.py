"""Storage: models, migrations, the engine and the repositories over them."""
