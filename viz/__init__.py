"""HTML views of the graph: store -> networkx (:mod:`.graphs`) -> looks (:mod:`.style`) -> pyvis page (:mod:`.render`).

>>> from luocdo.viz import graphs, render, style
>>> style.RELATIONS["implements"].vi
'thực hiện'
"""
