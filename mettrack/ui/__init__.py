"""What every page shares: the layout and macros (templates/), error pages, paging,
template filters, the health check."""
