"""The showroom app's pages, one module per stage: the visitor register (``register``), the
catalog and stock look-up (``catalog``), needs analysis (``needs``) and the walkaround
(``walkaround``)."""
