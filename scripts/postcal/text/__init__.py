"""Pure string work shared by lint, platforms and the site: counting, limits, rendering."""
