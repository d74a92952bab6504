"""nvlab: the seed document's topology (two Azure hubs, Route Servers, ExpressRoute, NVAs over
VXLAN) as a live network-namespace lab.

FRR plays the Route Server instances and the ExpressRoute gateway, GoBGP plays MSEE and
on-premises, and the NVAs run either BIRD 2 (the seed's own NVA, the reference) or nvabgpd.
Everything lives in network namespaces named <prefix><tag>; the root namespace is never touched.
Entry point: scripts/lab.sh (python3 -m nvlab).
"""
