"""The Kubernetes target: ``manifests`` (what objects a desired state becomes), ``sync`` and ``compare``
(pure comparisons with the live objects), ``observe`` (reports from pods), ``target`` (server-side apply
through the official client), ``connect`` (client from settings) and ``offline`` (``shuttle plan``)."""
