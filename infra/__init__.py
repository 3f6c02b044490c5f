"""Operations tooling: the ops CLI (`python -m infra`), the local stack, deployment."""
