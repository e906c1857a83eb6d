"""What each tenant uses of its quotas: read by the tenant's usage page and the operator console."""
