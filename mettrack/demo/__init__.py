"""Made-up demo data, built through the same use cases as the pages (`flask demo load`)."""
