"""Content rules (Art. 1, 4(2), 5): forwarding whitelist, attribution, pre-review lint."""
