// placeholder: implemented by the spec part
