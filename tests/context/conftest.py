from tests.providers.conftest import _no_provider_env, serve  # noqa: F401  (fixtures)
