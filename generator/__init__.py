"""factsheet: a cited record of incidents, from YAML facts to a static site."""
