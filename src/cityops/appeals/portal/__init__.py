"""The citizen portal (市民门户): appeal intake with photos, tracking by code "like a parcel",
the citizen's rating of a closed case, the public board and per-address rate limits. Owns the
portal's appeal records, photos and ratings; the case itself lives in the case engine."""
