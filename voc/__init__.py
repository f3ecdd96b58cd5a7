"""The composition root: the `voc-ticker` command, the demo and the servers, wired from Settings."""
