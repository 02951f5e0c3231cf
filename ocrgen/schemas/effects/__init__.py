"""The effects as data: each one's config model, sampled-params model and where its code lives.

The pixel code (apply functions, warps, samplers) lives in `ocrgen.effects`, named here by
"module:function" paths and imported only when used, so these models load without it.
"""
