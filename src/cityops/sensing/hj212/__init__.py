"""HJ 212-2017 over TCP (污染物在线监控（监测）系统数据传输标准): the frames of environmental
monitoring stations read into `Reading`s, answered as the standard prescribes.

Owns: the frame codec (pure), the pollutant-code map, and the asyncio TCP server that hands each
data upload to an injected sink. Does not own: storing readings or dead letters, device
credentials (the sink checks PW and MN). Entered through `public.py`.
"""
