"""The citizen channel (接诉即办): intake from the portal, Open311 and the hotline, smart routing
(智能分拨), duplicate detection, follow-up visits and the 三率. Builds on the case engine through
cases.public; owns no workflow of its own."""
