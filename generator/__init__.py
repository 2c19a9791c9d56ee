"""gongshi (公示): a static site generator for the self-regulation disclosures of
Chinese industry associations and chambers of commerce.

The pipeline, one module a stage:  load → validate → assemble → evaluate → render → write.
"""

__version__ = "0.1.0"
