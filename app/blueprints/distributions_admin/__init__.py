"""Back office of distributions (permission `dividends`): decide declarations, read the holders' lines, set
withholding rates per country."""
