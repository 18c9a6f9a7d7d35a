"""Every user-facing word, in Chinese, for the codes the core returns. No Qt: the CLI and the UI share it.

One module per area (``messages`` for the foundation's errors and states, ``audit`` for audit events,
``integrity`` for ``verify``'s problems, …); a new area adds its own module instead of growing another's.
"""
