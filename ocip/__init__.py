# The Celery app is loaded by OcipConfig.ready() (and by `celery -A ocip`), not here, so that
# pure modules such as ocip.taxonomy can be imported without Django.
